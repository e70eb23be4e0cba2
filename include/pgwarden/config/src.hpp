// Includes every non-template implementation file (impl/*.ipp) of the
// config module, and of log/ (which has no library of its own). Compiled
// once, by lib/config.cpp.
#pragma once
#include <pgwarden/config/impl/error.ipp>
#include <pgwarden/config/impl/values.ipp>
#include <pgwarden/config/impl/document.ipp>
#include <pgwarden/config/impl/env.ipp>
#include <pgwarden/config/impl/load.ipp>
#include <pgwarden/config/impl/dynamic.ipp>
#include <pgwarden/config/impl/validate.ipp>
#include <pgwarden/log/impl/logger.ipp>
#include <pgwarden/config/impl/sample.ipp>
