// Includes every non-template implementation file (impl/*.ipp) of the
// http module. Compiled once, by lib/http.cpp.
#pragma once
