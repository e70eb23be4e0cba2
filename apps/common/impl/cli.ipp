#pragma once
#include "../cli.hpp"

#include <pgwarden/config/document.hpp>
#include <pgwarden/config/load.hpp>
#include <pgwarden/config/sample.hpp>

#include <filesystem>
#include <fstream>
#include <ostream>

namespace pgwarden::apps {

inline std::string usage(const std::string& prog)
{
    return "usage: " + prog +
           " [-h] [--version] [--validate-config | --generate-sample-config | --generate-config]\n" +
           std::string(prog.size() + 8, ' ') + "[--dsn DSN] [--ignore-listen-port] [--print] [configfile]\n";
}

inline cli_options parse_cli(const std::vector<std::string>& args, std::string prog)
{
    cli_options o;
    o.prog = std::move(prog);
    std::vector<std::string> extra;
    std::string action;   // the first of the mutually exclusive flags seen
    auto set_action = [&](bool& flag, const std::string& name) {
        if (!action.empty() && action != name && o.usage_error.empty())
            o.usage_error = "argument " + name + ": not allowed with argument " + action;
        action = name;
        flag = true;
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {
            extra.insert(extra.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
            break;
        }
        if (a == "-h" || a == "--help")
            o.help = true;
        else if (a == "--version")
            o.version = true;
        else if (a == "--validate-config")
            set_action(o.validate_config, a);
        else if (a == "--generate-sample-config")
            set_action(o.generate_sample_config, a);
        else if (a == "--generate-config")
            set_action(o.generate_config, a);
        else if (a == "--ignore-listen-port")
            o.ignore_listen_port = true;
        else if (a == "--print")
            o.print = true;
        else if (a == "--dsn") {
            if (i + 1 >= args.size()) {
                if (o.usage_error.empty())
                    o.usage_error = "argument --dsn: expected one argument";
            }
            else
                o.dsn = args[++i];
        }
        else if (a.rfind("--dsn=", 0) == 0)
            o.dsn = a.substr(6);
        else if (a.size() > 1 && a[0] == '-' && a[1] != '-') {
            // Combined short flags: -i, -p, -h, -ip ...
            for (std::size_t k = 1; k < a.size(); ++k) {
                char c = a[k];
                if (c == 'i')
                    o.ignore_listen_port = true;
                else if (c == 'p')
                    o.print = true;
                else if (c == 'h')
                    o.help = true;
                else {
                    extra.push_back(a);
                    break;
                }
            }
        }
        else if (a.size() > 1 && a[0] == '-')
            extra.push_back(a);
        else if (!o.config_file)
            o.config_file = a;
        else
            extra.push_back(a);
    }
    if (!extra.empty() && o.usage_error.empty()) {
        o.usage_error = "unrecognized arguments:";
        for (const auto& e : extra)
            o.usage_error += " " + e;
    }
    return o;
}

inline cli_options parse_cli(int argc, const char* const* argv)
{
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i)
        args.emplace_back(argv[i]);
    std::string prog = argc > 0 && argv[0] ? std::filesystem::path(argv[0]).filename().string() : "pgwarden";
    return parse_cli(args, prog.empty() ? "pgwarden" : prog);
}

namespace detail {

inline int validate_command(const cli_options& o, std::ostream& out, std::ostream& err,
                            const config::environment& env, const std::optional<config::validation_host>& host)
{
    config::config_error why;
    auto doc = config::load_document(o.config_file, env, &why);
    if (!doc) {
        err << why.text() << "\n";
        return 1;
    }
    config::validate_options opt;
    opt.ignore_listen_port = o.ignore_listen_port;
    opt.host = host ? *host : config::system_validation_host();
    auto problems = config::validate(*doc, opt);
    for (const auto& p : problems)
        err << p.line() << "\n";
    if (!problems.empty())
        return 1;
    if (o.print)
        out << config::to_yaml(*doc);
    return 0;
}

inline int sample_command(const cli_options& o, std::ostream& out, std::ostream& err, const config::environment& env)
{
    // postgres is looked up the way the sample itself will name it: bin_dir/bin_name from the env.
    auto overlay = config::env_overlay(env);
    std::string bin_dir, postgres = "postgres";
    if (const auto* pg = overlay.if_contains("postgresql"); pg && pg->is_object()) {
        if (const auto* d = pg->get_object().if_contains("bin_dir"); d && d->is_string())
            bin_dir = d->get_string();
        if (const auto* n = pg->get_object().if_contains("bin_name"); n && n->is_object())
            if (const auto* p = n->get_object().if_contains("postgres"); p && p->is_string())
                postgres = p->get_string();
    }
    auto inputs = config::detect_sample_inputs(bin_dir.empty() ? postgres : bin_dir + "/" + postgres);
    return write_config_output(o, config::sample_config_yaml(config::sample_config(inputs, env)), out, err);
}

} // namespace detail

inline int write_config_output(const cli_options& o, const std::string& yaml, std::ostream& out, std::ostream& err)
{
    if (!o.config_file) {
        out << yaml;
        return 0;
    }
    std::error_code ec;
    const std::filesystem::path& p = *o.config_file;
    if (p.has_parent_path())
        std::filesystem::create_directories(p.parent_path(), ec);
    std::ofstream f(p);
    if (!f || !(f << yaml)) {
        err << "Failed to write " << p.string() << "\n";
        return 1;
    }
    return 0;
}

inline int run_config_commands(const cli_options& o, std::ostream& out, std::ostream& err,
                               const config::environment& env, const std::optional<config::validation_host>& host)
{
    if (!o.usage_error.empty()) {
        err << usage(o.prog) << o.prog << ": error: " << o.usage_error << "\n";
        return 2;
    }
    if (o.help) {
        out << usage(o.prog) << "\n"
            << "positional arguments:\n"
            << "  configfile            Patroni may also read the configuration from the PATRONI_CONFIGURATION\n"
            << "                        environment variable\n\n"
            << "options:\n"
            << "  -h, --help            show this help message and exit\n"
            << "  --version             show program's version number and exit\n"
            << "  --validate-config     Run config validator and exit\n"
            << "  --generate-sample-config\n"
            << "                        Generate a sample Patroni yaml configuration file\n"
            << "  --generate-config     Generate a Patroni yaml configuration file for a running instance\n"
            << "  --dsn DSN             Optional DSN string of the instance to be used as a source of config\n"
            << "                        parameters. Superuser connection is required.\n"
            << "  --ignore-listen-port, -i\n"
            << "                        Ignore `listen` ports already in use. Can only be used with --validate-config\n"
            << "  --print, -p           Print the configuration after validation. Can only be used with\n"
            << "                        --validate-config\n";
        return 0;
    }
    if (o.version) {
        out << "pgwarden " << PGWARDEN_VERSION << " (Patroni " << PGWARDEN_PATRONI_VERSION << " compatible)\n";
        return 0;
    }
    if (o.validate_config)
        return detail::validate_command(o, out, err, env, host);
    if (o.generate_sample_config)
        return detail::sample_command(o, out, err, env);
    if (o.generate_config) return cli_generate_config;   // needs libpq: the daemon runs it
    return cli_continue;
}

inline int handle_cli(int argc, char** argv, std::string_view program, const config::environment& env,
                      std::ostream& out, std::ostream& err, cli_options& opts)
{
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i)
        args.emplace_back(argv[i]);
    opts = parse_cli(args, std::string(program));
    return run_config_commands(opts, out, err, env);
}

} // namespace pgwarden::apps
