// `--generate-config [--dsn DSN] [configfile]` (config.md §12, running-instance
// mode): a Patroni configuration for a PostgreSQL instance that already runs,
// from its pg_settings, pg_hba.conf, pg_ident.conf and postmaster. Blocking
// libpq on the calling thread: it runs instead of the daemon, before any
// io_context exists.
#pragma once
#include "cli.hpp"

#include <pgwarden/config/env.hpp>

#include <boost/json/object.hpp>

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace pgwarden::apps {

/// One row of the pg_settings query: name and current_setting(name).
using setting_row = std::pair<std::string, std::string>;

/** Patches what the instance told (settings, files, bin_dir) into `cfg`, the
 *  template with the PATRONI_* overlay (config::sample_config without a
 *  version). `read_file` returns a file's lines, or nullopt when it cannot be
 *  read. Throws an exception derived from std::runtime_error with Patroni's message on failure. Exposed
 *  for unit tests; generate_config_command does the I/O. */
void apply_running_instance(boost::json::object& cfg, const std::vector<setting_row>& settings,
                            boost::json::object superuser, int server_version, const std::optional<std::string>& dsn_port,
                            const std::function<std::optional<std::vector<std::string>>(const std::string&)>& read_file);

/// The whole command: connect, read, write YAML to `configfile` or `out`. Returns the exit code.
int generate_config_command(const cli_options& o, std::ostream& out, std::ostream& err,
                            const config::environment& env);

} // namespace pgwarden::apps
