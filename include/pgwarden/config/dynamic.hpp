// The dynamic configuration (DCS `config` key, `patroni.dynamic.json`,
// bootstrap.dcs): lenient parsing, the JSON encoder, the timeout sanity rule,
// the merge with the local configuration and the forced PostgreSQL parameters.
// @see dcs.md §2.3, config.md §2.3, §6, §8.1, ha-loop.md §1.1
#pragma once
#include <pgwarden/config/error.hpp>
#include <pgwarden/config/model.hpp>
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/result.hpp>

#include <boost/json/object.hpp>

#include <filesystem>

#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::config {

/** Parses the dynamic configuration with Patroni's lenient rules: booleans via
 *  parse_bool (`on`, `"true"`, 1 ...), `synchronous_mode: quorum` (any case),
 *  legacy `master_start_timeout`/`master_stop_timeout` when the primary_* key
 *  is absent, the first non-empty of `permanent_replication_slots` /
 *  `permanent_slots` / `slots`, `member_slots_ttl` with time units. Integer
 *  keys that do not parse keep their default.
 *
 *  Returns error::syntax for text that is not JSON, error::invalid_file when
 *  the top level is not an object, and error::bad_value when `ttl`,
 *  `loop_wait` or `retry_timeout` cannot be converted with Python's int():
 *  Patroni rejects the whole configuration then. */
[[nodiscard]] PGWARDEN_DECL result<dynamic_config> parse_dynamic(std::string_view json,
                                                                 config_error* why = nullptr);
[[nodiscard]] PGWARDEN_DECL result<dynamic_config> parse_dynamic(const boost::json::object& obj,
                                                                 config_error* why = nullptr);

/** Encodes back to Patroni's JSON form (compact, as written to /config and
 *  patroni.dynamic.json). Defaults are written explicitly; `extra` keys are
 *  kept; slots go under `slots`. parse_dynamic(encode_dynamic(d)) == d. */
[[nodiscard]] PGWARDEN_DECL std::string encode_dynamic(const dynamic_config& d);

/** The ttl/loop_wait/retry_timeout rule (ha-loop.md §1.1, config.md §6.1):
 *  values below their minimum are raised (`loop_wait=0 can't be smaller than 1,
 *  adjusting...`), then loop_wait (and if needed retry_timeout) are lowered so
 *  that `loop_wait + 2*retry_timeout <= ttl`. Returns Patroni's warning lines,
 *  empty when nothing changed. */
[[nodiscard]] PGWARDEN_DECL std::vector<std::string> adjust_timeouts(dynamic_config& d);

/** The effective configuration (config.md §2.3): dynamic postgresql keys
 *  (except the local-only ones) under the local ones, forced GUC defaults,
 *  validated dynamic forced GUCs (an invalid one logs `postgresql parameter
 *  <n>=<v> failed validation, defaulting to <d>`), local forced GUCs silently
 *  dropped, and the timeout rule applied. Warnings are appended to `warnings`. */
[[nodiscard]] PGWARDEN_DECL effective_config merge_effective(const local_config& local, const dynamic_config& dyn,
                                                             std::vector<std::string>* warnings = nullptr);

/** The PostgreSQL parameters Patroni forces (config.md §8.1) for a server of
 *  `pg_version` (PG_VERSION_NUM, e.g. 150004), in Patroni's order:
 *  listen_addresses/port from `postgresql.listen`, cluster_name = scope, the
 *  effective values of the others, wal_level `hot_standby`<->`replica` by
 *  version, wal_keep_segments<->wal_keep_size converted, and GUCs newer than
 *  the server dropped. wal_keep_* belong in postgresql.conf, all others on
 *  the command line (see is_command_line_parameter). */
[[nodiscard]] PGWARDEN_DECL scalar_map forced_parameters(const effective_config& cfg, int pg_version);

/// True for the forced GUCs that go on the postmaster command line (not wal_keep_*).
[[nodiscard]] PGWARDEN_DECL bool is_command_line_parameter(std::string_view name) noexcept;

/// True for every GUC of config.md §8.1 (the ones only the dynamic config may set).
[[nodiscard]] PGWARDEN_DECL bool is_forced_parameter(std::string_view name) noexcept;

/** Role-specific parameters ([master]): `parameters_<role>` over `parameters`;
 *  forced GUCs are ignored with the warning
 *  `Role-based config attempted to override protected parameter '<p>', ignoring`.
 *  role: primary|promoted -> primary, replica|demoted -> replica, standby_leader. */
[[nodiscard]] PGWARDEN_DECL scalar_map parameters_for_role(const effective_config& cfg, std::string_view role,
                                                           std::vector<std::string>* warnings = nullptr);

/** Reads `<data_dir>/patroni.dynamic.json`, the local cache of the last applied
 *  dynamic configuration. Returns error::not_found when there is none, else as
 *  parse_dynamic. */
[[nodiscard]] PGWARDEN_DECL result<dynamic_config> load_dynamic_cache(const std::filesystem::path& data_dir,
                                                                      config_error* why = nullptr);

/** Writes the cache atomically, as Patroni does: a temporary
 *  `patroni.dynamic.json<random>` in data_dir with the data directory's file
 *  permissions (0640 when the directory is group-readable, else 0600), fsync,
 *  then rename. Returns error::io on failure. */
[[nodiscard]] PGWARDEN_DECL result<void> save_dynamic_cache(const std::filesystem::path& data_dir,
                                                            const dynamic_config& d);

} // namespace pgwarden::config

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/config/impl/dynamic.ipp>
#endif
