// Includes every non-template implementation file (impl/*.ipp) of the
// http module. Compiled once, by lib/http.cpp.
#pragma once
#include <pgwarden/http/impl/base64.ipp>
#include <pgwarden/http/impl/client.ipp>
#include <pgwarden/http/impl/dns.ipp>
#include <pgwarden/http/impl/host_resolver.ipp>
#include <pgwarden/http/impl/url.ipp>
