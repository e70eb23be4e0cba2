// The daemon's command line (config.md §1) and the commands that act on the
// configuration and exit: --help, --version, --validate-config [-i] [-p],
// --generate-sample-config, --generate-config. Shared by every pgwarden-<dcs>
// daemon. Header-only (inline): include it from the one TU with main().
//
//   usage: pgwarden [-h] [--version] [--validate-config | --generate-sample-config | --generate-config]
//                   [--dsn DSN] [--ignore-listen-port] [--print] [configfile]
#pragma once
#include <pgwarden/config/env.hpp>
#include <pgwarden/config/validate.hpp>
#include <pgwarden/core/config.hpp>

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::apps {

struct cli_options {
    std::string prog = "pgwarden";            ///< argv[0]'s file name, for usage lines
    bool help = false;
    bool version = false;
    bool validate_config = false;
    bool generate_sample_config = false;
    bool generate_config = false;
    std::optional<std::string> dsn;           ///< --dsn (only with --generate-config)
    bool ignore_listen_port = false;          ///< -i (only with --validate-config)
    bool print = false;                       ///< -p (only with --validate-config)
    std::optional<std::filesystem::path> config_file;   ///< `configfile`: a file or directory
    std::string usage_error;                  ///< non-empty: argparse would exit 2 with this
};

/// Parses argv like Patroni's argparse (options anywhere, `--dsn=X` or `--dsn X`, `-ip`).
[[nodiscard]] cli_options parse_cli(const std::vector<std::string>& args, std::string prog = "pgwarden");
[[nodiscard]] cli_options parse_cli(int argc, const char* const* argv);

/// run_config_commands' answer when none of its commands was asked for: start the daemon.
inline constexpr int cli_continue = -1;
/** Its answer to --generate-config: the caller runs generate_config_command
 *  (apps/common/generate_config.hpp, which needs libpq). */
inline constexpr int cli_generate_config = -2;

/// Writes generated YAML to `configfile` (parent directories created) or to `out`; the exit code.
[[nodiscard]] int write_config_output(const cli_options& o, const std::string& yaml, std::ostream& out,
                                      std::ostream& err);

/** Handles the commands that exit: usage errors (2), --help (0), --version
 *  (0: `pgwarden <version> (Patroni <version> compatible)`), --validate-config
 *  (problems on `err`, 1 when any; with -p the merged YAML on `out`),
 *  --generate-sample-config (to `configfile` or `out`) and --generate-config.
 *  Returns cli_continue when the daemon should run. `host` is used by
 *  --validate-config (default: the real host). */
[[nodiscard]] int run_config_commands(const cli_options& opts, std::ostream& out, std::ostream& err,
                                      const config::environment& env,
                                      const std::optional<config::validation_host>& host = std::nullopt);

/** parse_cli + run_config_commands in one call (the shape apps/common/daemon.hpp
 *  uses): returns an exit code, or cli_continue with `opts` filled. */
[[nodiscard]] int handle_cli(int argc, char** argv, std::string_view program, const config::environment& env,
                             std::ostream& out, std::ostream& err, cli_options& opts);

/// The usage line(s) argparse prints.
[[nodiscard]] std::string usage(const std::string& prog);

} // namespace pgwarden::apps

#include "impl/cli.ipp"
