// Every compiled part of pgwarden in one place, for a header-only style build
// (define PGWARDEN_HEADER_ONLY and include this once). The normal build
// compiles each module's src.hpp in its own unit: see lib/CMakeLists.txt.
#pragma once
#include <pgwarden/core/src.hpp>
#include <pgwarden/dcs/src.hpp>
#include <pgwarden/config/src.hpp>
#include <pgwarden/ha/src.hpp>
#include <pgwarden/http/src.hpp>
#include <pgwarden/pg/src.hpp>
#include <pgwarden/dcs/etcd3/src.hpp>
#include <pgwarden/api/src.hpp>
