// --generate-config: see generate_config.hpp and config.md §12.
#include "generate_config.hpp"

#include <pgwarden/config/sample.hpp>

#include <libpq-fe.h>
#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace pgwarden::apps {

namespace {

namespace json = boost::json;

/// A failure with Patroni's message (anything else is an "Unexpected exception").
struct generate_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// libpq connection parameters kept in `authentication.superuser`, with their environment
/// variable (Patroni: _AUTH_ALLOWED_PARAMETERS_MAPPING) and the first server version that knows them.
struct auth_param {
    const char* name;
    const char* env;
    int min_version;
};
constexpr std::array<auth_param, 12> auth_params{{
    {"user", "PGUSER", 0},
    {"password", "PGPASSWORD", 0},
    {"sslmode", "PGSSLMODE", 0},
    {"sslcert", "PGSSLCERT", 0},
    {"sslkey", "PGSSLKEY", 0},
    {"sslpassword", "", 130000},
    {"sslrootcert", "PGSSLROOTCERT", 0},
    {"sslcrl", "PGSSLCRL", 0},
    {"sslcrldir", "PGSSLCRLDIR", 140000},
    {"gssencmode", "PGGSSENCMODE", 120000},
    {"channel_binding", "PGCHANNELBINDING", 130000},
    {"sslnegotiation", "PGSSLNEGOTIATION", 170000},
}};

/// Parameters written to the local `postgresql.parameters` (commands: security; files: kept).
constexpr std::array<const char*, 8> local_params{"archive_command",        "restore_command",
                                                  "archive_cleanup_command", "recovery_end_command",
                                                  "ssl_passphrase_command",  "hba_file",
                                                  "ident_file",              "config_file"};

/// Always read: the files, the data directory and the GUCs Patroni passes on the command line.
constexpr const char* required_params =
    "{hba_file,ident_file,config_file,data_directory,listen_addresses,port,cluster_name,wal_level,hot_standby,"
    "max_connections,max_wal_senders,max_prepared_transactions,max_locks_per_transaction,"
    "track_commit_timestamp,max_replication_slots,max_worker_processes,wal_log_hints,wal_keep_segments,"
    "wal_keep_size}";

json::object& section(json::object& o, const char* key)
{
    auto& v = o[key];
    if (!v.is_object()) v = json::object{};
    return v.get_object();
}

std::string os_user()
{
    if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_name != nullptr) return pw->pw_name;
    return {};
}

/// Patroni uses getpass: prompt on stderr, no echo on a terminal.
std::string prompt_password()
{
    std::cerr << "Please enter the user password:" << std::flush;
    termios old{};
    const bool tty = ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (tty) ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
    return line;
}

std::optional<std::vector<std::string>> read_lines(const std::string& path)
{
    std::ifstream f(path);
    if (!f) return std::nullopt;
    std::vector<std::string> lines;
    for (std::string l; std::getline(f, l);) lines.push_back(l);
    return lines;
}

std::string trim(std::string s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    const auto e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

/// The directory of the running postmaster's executable (Patroni: psutil Process.exe()).
std::string bin_dir_of(const std::string& data_dir)
{
    std::ifstream f(data_dir + "/postmaster.pid");
    if (!f) throw generate_error("Error while reading postmaster.pid file: cannot open " + data_dir + "/postmaster.pid");
    std::string first;
    std::getline(f, first);
    first = trim(first);
    if (first.empty()) throw generate_error("Failed to obtain postmaster pid from postmaster.pid file");
    char* end = nullptr;
    const long pid = std::strtol(first.c_str(), &end, 10);
    if (end == first.c_str() || *end != '\0' || pid <= 0)
        throw generate_error("Error while reading postmaster.pid file: invalid literal for int(): '" + first + "'");
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
    if (ec) throw generate_error("Obtained postmaster pid doesn't exist.");
    return exe.parent_path().string();
}

} // namespace

void apply_running_instance(json::object& cfg, const std::vector<setting_row>& settings, json::object superuser,
                            int server_version, const std::optional<std::string>& dsn_port,
                            const std::function<std::optional<std::vector<std::string>>(const std::string&)>& read_file)
{
    // Sorted first, written last: a reference into a json::object does not survive an insertion
    // into any object that contains it (values are relocated).
    std::optional<std::string> data_dir, scope;
    std::vector<setting_row> local, dcs_params;
    std::string port, listen_addresses;
    for (const auto& [name, value] : settings) {
        if (name == "data_directory") data_dir = value;
        else if (name == "cluster_name") {
            if (!value.empty()) scope = value;
        } else if (std::find(local_params.begin(), local_params.end(), name) != local_params.end())
            local.emplace_back(name, value);
        else if (name == "port") port = value;
        else if (name == "listen_addresses") listen_addresses = value;
        else dcs_params.emplace_back(name, value);
    }
    auto local_value = [&](std::string_view key) {
        for (const auto& [k, v] : local)
            if (k == key) return v;
        return std::string();
    };
    const std::string dir = data_dir.value_or(std::string());
    std::optional<json::array> hba, ident;
    if (local_value("hba_file") == dir + "/pg_hba.conf") {
        auto lines = read_file(dir + "/pg_hba.conf");
        if (!lines) throw generate_error("Failed to read pg_hba.conf: cannot read " + dir + "/pg_hba.conf");
        std::vector<std::string> types{"local", "host", "hostssl", "hostnossl", "hostgssenc", "hostnogssenc"};
        if (server_version >= 160000) types.insert(types.end(), {"include", "include_if_exists", "include_dir"});
        hba.emplace();
        for (auto& l : *lines) {
            l = trim(l);
            std::istringstream is(l);
            std::string first;
            if (is >> first && std::find(types.begin(), types.end(), first) != types.end()) hba->emplace_back(l);
        }
    }
    if (local_value("ident_file") == dir + "/pg_ident.conf") {
        auto lines = read_file(dir + "/pg_ident.conf");
        if (!lines) throw generate_error("Failed to read pg_ident.conf: cannot read " + dir + "/pg_ident.conf");
        ident.emplace();
        for (auto& l : *lines) {
            l = trim(l);
            if (!l.empty() && l[0] != '#') ident->emplace_back(l);
        }
    }
    for (const auto& p : auth_params)
        if (server_version < p.min_version) superuser.erase(p.name);

    if (scope) cfg["scope"] = *scope;
    {
        auto& dcs = section(section(section(section(cfg, "bootstrap"), "dcs"), "postgresql"), "parameters");
        for (auto& [k, v] : dcs_params) dcs[k] = v;
    }
    auto& pg = section(cfg, "postgresql");
    {
        auto& params = section(pg, "parameters");
        for (auto& [k, v] : local) params[k] = v;
    }
    if (data_dir) pg["data_dir"] = *data_dir;
    pg["authentication"] = json::object{{"superuser", std::move(superuser)},
                                        {"replication", json::object{{"username", "#FIXME"}, {"password", "#FIXME"}}}};
    // connect_address keeps the template's address with the port the client used.
    const auto* ca = pg.if_contains("connect_address");
    std::string connect_ip = ca && ca->is_string() ? std::string(ca->get_string()) : std::string("#FIXME");
    connect_ip = connect_ip.substr(0, connect_ip.rfind(':'));
    pg["connect_address"] = connect_ip + ":" + dsn_port.value_or(port);
    pg["listen"] = listen_addresses + ":" + port;
    if (hba) pg["pg_hba"] = std::move(*hba);
    if (ident && !ident->empty()) pg["pg_ident"] = std::move(*ident);
    else if (ident) pg.erase("pg_ident");
}

int generate_config_command(const cli_options& o, std::ostream& out, std::ostream& err,
                            const config::environment& env)
{
    try {
        // The template (no version rules) with the PATRONI_* overlay patched over it.
        auto inputs = config::detect_sample_inputs("postgres");
        inputs.pg_version.reset();
        json::object cfg = config::sample_config(inputs, env);

        std::map<std::string, std::string> dsn;
        if (o.dsn) {
            char* errmsg = nullptr;
            PQconninfoOption* opts = PQconninfoParse(o.dsn->c_str(), &errmsg);
            if (errmsg) PQfreemem(errmsg);
            if (opts)
                for (auto* p = opts; p->keyword; ++p)
                    if (p->val && *p->val) dsn[p->keyword] = p->val;
            PQconninfoFree(opts);
            if (dsn.empty()) throw generate_error("Failed to parse DSN string");
        }
        // Superuser parameters: the DSN, else the libpq environment variable.
        json::object su;
        for (const auto& p : auth_params) {
            std::string v = dsn.count(p.name) ? dsn[p.name] : std::string();
            if (v.empty() && *p.env)
                if (const char* e = std::getenv(p.env)) v = e;
            if (!v.empty()) su[p.name] = v;
        }
        // Patroni looks for a fallback user and password under a top-level `authentication` key
        // that no configuration has, so the fallbacks are the OS user and the prompt
        // (docs/notes/config.md).
        std::string username = su.contains("user") ? std::string(su["user"].get_string()) : os_user();
        su.erase("user");
        su["username"] = username;
        if (!su.contains("password")) su["password"] = prompt_password();
        const std::string password(su["password"].get_string());

        const char* keys[] = {"dbname", "password", nullptr};
        const char* values[] = {o.dsn ? o.dsn->c_str() : "", password.c_str(), nullptr};
        std::unique_ptr<PGconn, void (*)(PGconn*)> conn(PQconnectdbParams(keys, values, 1), PQfinish);
        if (PQstatus(conn.get()) != CONNECTION_OK)
            throw generate_error("Failed to establish PostgreSQL connection: " +
                                     trim(PQerrorMessage(conn.get())));
        const int version = PQserverVersion(conn.get());
        const char* super = PQparameterStatus(conn.get(), "is_superuser");
        if (!super || std::string(super) != "on")
            throw generate_error("The provided user does not have superuser privilege");
        const char* params[] = {required_params};
        std::unique_ptr<PGresult, void (*)(PGresult*)> res(
            PQexecParams(conn.get(),
                         "SELECT name, pg_catalog.current_setting(name) FROM pg_catalog.pg_settings "
                         "WHERE context <> 'internal' "
                         "AND source IN ('configuration file', 'command line', 'environment variable') "
                         "AND category <> 'Write-Ahead Log / Recovery Target' "
                         "AND setting <> '(disabled)' "
                         "OR name = ANY($1::text[])",
                         1, nullptr, params, nullptr, nullptr, 0),
            PQclear);
        if (PQresultStatus(res.get()) != PGRES_TUPLES_OK)
            throw generate_error("Failed to establish PostgreSQL connection: " +
                                     trim(PQresultErrorMessage(res.get())));
        std::vector<setting_row> rows;
        for (int r = 0; r < PQntuples(res.get()); ++r)
            rows.emplace_back(PQgetvalue(res.get(), r, 0), PQgetvalue(res.get(), r, 1));
        conn.reset();

        std::optional<std::string> dsn_port;
        if (dsn.count("port")) dsn_port = dsn["port"];
        else if (const char* e = std::getenv("PGPORT"); e && *e) dsn_port = e;
        apply_running_instance(cfg, rows, std::move(su), version, dsn_port, read_lines);
        auto& pg = section(cfg, "postgresql");
        pg["bin_dir"] = bin_dir_of(std::string(pg["data_dir"].get_string()));
        return write_config_output(o, config::sample_config_yaml(cfg), out, err);
    } catch (const generate_error& e) {
        err << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        err << "Unexpected exception: " << e.what() << "\n";
        return 1;
    }
}

} // namespace pgwarden::apps
