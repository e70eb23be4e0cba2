// Includes every non-template implementation file (impl/*.ipp) of the
// api module. Compiled once, by lib/api.cpp.
#pragma once
