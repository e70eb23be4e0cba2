// Build-mode macros shared by every pgwarden header.
#pragma once

/// PGWARDEN_DECL marks functions defined in impl/*.ipp. In the normal build
/// they are compiled once (lib/<module>.cpp); with PGWARDEN_HEADER_ONLY they
/// become inline so that <pgwarden/src.hpp> can be included in one unit.
#ifdef PGWARDEN_HEADER_ONLY
#define PGWARDEN_DECL inline
#else
#define PGWARDEN_DECL
#endif

#ifndef PGWARDEN_PATRONI_VERSION
#define PGWARDEN_PATRONI_VERSION "4.1.4"
#endif
#ifndef PGWARDEN_VERSION
#define PGWARDEN_VERSION "0.1.0"
#endif
