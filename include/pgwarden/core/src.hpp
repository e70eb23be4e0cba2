// Includes every non-template implementation file of the core module.
// Compiled once, by lib/core.cpp.
#pragma once
#include <pgwarden/core/impl/error.ipp>
