// `--validate-config` (config.md §11): the full schema check of the local
// configuration, without Patroni's known false rejections
// (`thread_stack_size` multiples of 65535, `synchronous_mode: quorum`) and
// with extra checks of the dynamic configuration under bootstrap.dcs and of
// well-known PostgreSQL parameters.
#pragma once
#include <pgwarden/core/config.hpp>

#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pgwarden::config {

/// One validation finding: `<path> <value> <message>` on its own line.
struct problem {
    std::string path;      ///< dotted YAML path, list items by index (`postgresql.pg_hba.0`)
    std::string value;     ///< Python str() of the value; empty when missing
    std::string message;   ///< e.g. `is not a string`, `didn't pass validation: Wrong value`

    /// Patroni's line format; with no value, two spaces follow the path.
    std::string line() const { return path + " " + value + " " + message; }
};

/** The checks with side effects on the host, injectable so tests stay
 *  deterministic. Any member left empty skips that check. */
struct validation_host {
    /// True when something accepts TCP connections on host:port ("Port N is already in use.").
    std::function<bool(const std::string& host, int port)> port_in_use;
    /// nullopt when host:port accepts a TCP connection, else the error text.
    std::function<std::optional<std::string>(const std::string& host, int port)> connect_error;
    /// True when `name` is an executable in `dir` (empty dir: search $PATH).
    std::function<bool(const std::string& dir, const std::string& name)> has_executable;
    /// The major version printed by `<postgres> --version` ("15", "9.6"), nullopt on failure.
    std::function<std::optional<std::string>(const std::string& postgres)> postgres_major_version;
    /// The GUC names `<postgres> --describe-config` knows, nullopt when unknown.
    std::function<std::optional<std::set<std::string>>(const std::string& postgres)> known_parameters;
};

/// The real host: TCP connects (1 s timeout), $PATH lookup, running postgres.
[[nodiscard]] PGWARDEN_DECL validation_host system_validation_host();

struct validate_options {
    bool ignore_listen_port = false;   ///< `-i`: skip the "port is already in use" checks
    validation_host host;
};

/** Validates the merged local configuration tree (load_document's result).
 *  Returns every problem found, in schema order; empty means valid. */
[[nodiscard]] PGWARDEN_DECL std::vector<problem> validate(const boost::json::object& doc,
                                                          const validate_options& options = {});

} // namespace pgwarden::config

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/config/impl/validate.ipp>
#endif
