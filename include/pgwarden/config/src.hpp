// Includes every non-template implementation file (impl/*.ipp) of the
// config module. Compiled once, by lib/config.cpp.
#pragma once
