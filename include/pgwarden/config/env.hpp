// The PATRONI_* environment variables (config.md §3). The environment is always
// passed in as a value, never read here, so tests are deterministic; apps build
// it once from `environ` with environment_from().
#pragma once
#include <pgwarden/core/config.hpp>

#include <boost/json/object.hpp>

#include <map>
#include <string>
#include <vector>

namespace pgwarden::config {

/// Variable name -> value.
using environment = std::map<std::string, std::string, std::less<>>;

/// Copies a NULL-terminated `NAME=value` array (e.g. `environ`).
[[nodiscard]] PGWARDEN_DECL environment environment_from(const char* const* envp);

/** The configuration tree built from the PATRONI_* variables, following
 *  Patroni 4.1's `_build_environment_configuration` (including its quirks:
 *  `_BIN_PG_ISREADY`, `USE_SSL` kept as a string, etcd username/password only
 *  when another etcd variable created the section, `PATRONI_CONSUL_SCHEME`
 *  ignored). PATRONI_CONFIGURATION is not part of it (load.hpp handles it).
 *  Empty values and values that fail their type conversion are left out.
 *  When `consumed` is given, it receives the names of the variables read
 *  (Patroni removes those from its own environment). */
[[nodiscard]] PGWARDEN_DECL boost::json::object env_overlay(const environment& env,
                                                            std::vector<std::string>* consumed = nullptr);

/** The environment to give the postmaster (config.md §9.3): without
 *  NOTIFY_SOCKET, PATRONI_* and KUBERNETES_*, with PG_MALLOC_ARENA_MAX renamed
 *  to MALLOC_ARENA_MAX when set (even when empty). */
[[nodiscard]] PGWARDEN_DECL environment postmaster_environment(const environment& env);

} // namespace pgwarden::config

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/config/impl/env.ipp>
#endif
