// Includes every non-template implementation file (impl/*.ipp) of the
// api module. Compiled once, by lib/api.cpp.
#pragma once
#include <pgwarden/api/impl/view.ipp>
#include <pgwarden/api/impl/metrics.ipp>
#include <pgwarden/api/impl/router.ipp>
#include <pgwarden/api/impl/failsafe.ipp>
