// `--generate-sample-config` (config.md §12): Patroni's sample template for
// this host, with the PATRONI_* overlay patched over it, written as YAML in
// Patroni's layout.
#pragma once
#include <pgwarden/config/env.hpp>
#include <pgwarden/core/config.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace pgwarden::config {

/// What the sample depends on besides the environment.
struct sample_inputs {
    std::string hostname;            ///< `name`
    std::string ip = "#FIXME";       ///< first address of the hostname, IPv4 preferred
    std::optional<int> pg_version;   ///< PG_VERSION_NUM style (150000, 90600) from `postgres --version`;
                                     ///< unset: the version-less template
};

/** The host's values: gethostname(), its first address (getaddrinfo, IPv4
 *  first; `#FIXME` when it does not resolve) and the major version printed by
 *  `<postgres> --version` (`postgres` is bin_dir/bin_name.postgres or PATH). */
[[nodiscard]] PGWARDEN_DECL sample_inputs detect_sample_inputs(const std::string& postgres);

/// The sample configuration tree (template + version rules + env overlay).
[[nodiscard]] PGWARDEN_DECL boost::json::object sample_config(const sample_inputs& in, const environment& env);

/** YAML text in Patroni's layout: top-level sections in its fixed order, a
 *  blank line before each map section, keys sorted, the bootstrap comments,
 *  `bootstrap.dcs` starting with loop_wait, retry_timeout, ttl. */
[[nodiscard]] PGWARDEN_DECL std::string sample_config_yaml(const boost::json::object& cfg);

} // namespace pgwarden::config

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/config/impl/sample.ipp>
#endif
