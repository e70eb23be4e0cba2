// Includes every non-template implementation file (impl/*.ipp) of the
// pg module. Compiled once, by lib/pg.cpp.
#pragma once
