// Loading the local configuration: file, directory, PATRONI_CONFIGURATION or
// PATRONI_* variables, with Patroni's precedence (config.md §2.1), then the
// conversion into the typed model (model.hpp).
#pragma once
#include <pgwarden/config/env.hpp>
#include <pgwarden/config/error.hpp>
#include <pgwarden/config/model.hpp>
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/result.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <optional>

namespace pgwarden::config {

/** The merged local configuration tree, before typing.
 *
 *  1. `path` names an existing file -> that YAML; a directory -> every `*.yml`
 *     / `*.yaml` regular file in it, by name, merged with patch_config;
 *  2. otherwise a non-empty PATRONI_CONFIGURATION is the whole configuration
 *     and every other PATRONI_* variable is ignored;
 *  3. otherwise the configuration is built from the PATRONI_* variables alone.
 *  With a file or directory the PATRONI_* overlay is patched on top (env wins).
 *
 *  Returns error::invalid_file when a file's top level is not a map,
 *  error::invalid_path for a path that is neither file nor directory,
 *  error::syntax for bad YAML (why->path = `file:line:column`), error::io
 *  when a file cannot be read. `path` that does not exist falls through to 2/3,
 *  as in Patroni. */
[[nodiscard]] PGWARDEN_DECL result<boost::json::object> load_document(const std::optional<std::filesystem::path>& path,
                                                                      const environment& env,
                                                                      config_error* why = nullptr);

/** Converts a merged tree into the typed model. Values are read leniently the
 *  way Patroni uses them (numeric strings for ints, parse_bool for bools, a
 *  comma-separated string for host lists); legacy layouts are converted
 *  (config.md §2.3 step 4). Returns error::bad_value (why->path = the YAML
 *  path, e.g. `postgresql.pg_ctl_timeout`) for a value that cannot be used. */
[[nodiscard]] PGWARDEN_DECL result<local_config> build_local_config(const boost::json::object& doc,
                                                                    config_error* why = nullptr);

/** load_document + the daemon start checks (config.md §2.4: `Config is empty.`,
 *  the reserved name) + build_local_config. */
[[nodiscard]] PGWARDEN_DECL result<local_config> load_config(const std::optional<std::filesystem::path>& path,
                                                             const environment& env, config_error* why = nullptr);

/// The reserved placeholder name Patroni refuses for `name` ([master]).
inline constexpr std::string_view reserved_member_name = "__patroni_strict_sync_replica_placeholder__";

} // namespace pgwarden::config

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/config/impl/load.ipp>
#endif
