// Includes every non-template implementation file (impl/*.ipp) of the
// ha module. Compiled once, by lib/ha.cpp.
#pragma once
#include <pgwarden/ha/impl/action.ipp>
#include <pgwarden/ha/impl/decide.ipp>
