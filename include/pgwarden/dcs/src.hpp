// Includes every non-template implementation file (impl/*.ipp) of the
// dcs module. Compiled once, by lib/dcs.cpp.
#pragma once
#include <pgwarden/dcs/impl/keys.ipp>
#include <pgwarden/dcs/impl/codec.ipp>
