#pragma once
#include <pgwarden/pg/error.hpp>
#include <pgwarden/pg/files.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace pgwarden::pg {
namespace detail {

inline std::string lower_ascii(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

inline std::string escape_chars(std::string_view v, std::string_view special, char esc, bool doubling)
{
    std::string out;
    out.reserve(v.size() + 2);
    for (char c : v) {
        if (special.find(c) != std::string_view::npos) out.push_back(doubling ? c : esc);
        out.push_back(c);
    }
    return out;
}

inline std::optional<long long> parse_size_mb(std::string_view v)
{
    // wal_keep_size: a number with an optional unit (MB default).
    long long n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{}) return std::nullopt;
    std::string unit = lower_ascii(std::string_view(p, static_cast<std::size_t>(v.data() + v.size() - p)));
    while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
    if (unit.empty() || unit == "mb") return n;
    if (unit == "gb") return n * 1024;
    if (unit == "tb") return n * 1024 * 1024;
    if (unit == "kb") return n / 1024;
    return std::nullopt;
}

struct forced_default {
    const char* name;
    const char* value;
    int min_version;
};

inline constexpr std::array<forced_default, 11> forced_defaults{{
    {"wal_level", "hot_standby", 90100},
    {"hot_standby", "on", 90100},
    {"max_connections", "100", 90100},
    {"max_wal_senders", "10", 90100},
    {"max_prepared_transactions", "0", 90100},
    {"max_locks_per_transaction", "64", 90100},
    {"track_commit_timestamp", "off", 90500},
    {"max_replication_slots", "10", 90400},
    {"max_worker_processes", "8", 90400},
    {"wal_log_hints", "on", 90400},
    {"cluster_name", "", 90500},
}};

inline int int_min_for(std::string_view name)
{
    if (name == "max_connections") return 25;
    if (name == "max_wal_senders") return 3;
    if (name == "max_locks_per_transaction") return 32;
    if (name == "max_replication_slots") return 4;
    if (name == "max_worker_processes") return 2;
    return 0;
}

} // namespace detail

PGWARDEN_DECL std::string escape_conf_value(std::string_view value)
{
    return detail::escape_chars(value, "'\\", '\0', true);
}

PGWARDEN_DECL std::string escape_dsn_value(std::string_view value)
{
    return detail::escape_chars(value, "'\\ ", '\\', false);
}

PGWARDEN_DECL std::string render_postgresql_conf(const postgresql_conf& conf)
{
    std::string out(managed_header);
    out += "include '" + escape_conf_value(conf.include) + "'\n\n";
    for (const auto& [name, value] : conf.parameters)
        out += name + " = '" + escape_conf_value(value) + "'\n";
    if (!conf.parameters.contains("hba_file"))
        out += "hba_file = '" + escape_conf_value(conf.hba_file) + "'\n";
    if (!conf.parameters.contains("ident_file"))
        out += "ident_file = '" + escape_conf_value(conf.ident_file) + "'\n";
    if (!conf.recovery.empty()) {
        out += "\n# recovery.conf\n";
        for (const auto& [name, value] : conf.recovery)
            out += name + " = '" + escape_conf_value(value) + "'\n";
    }
    return out;
}

PGWARDEN_DECL std::string render_managed_lines(const std::vector<std::string>& lines)
{
    std::string out(managed_header);
    for (const auto& l : lines) out += l + "\n";
    return out;
}

PGWARDEN_DECL std::string render_recovery_conf(const std::map<std::string, std::string>& params)
{
    std::string out(managed_header);
    for (const auto& [name, value] : params) out += name + " = '" + escape_conf_value(value) + "'\n";
    return out;
}

PGWARDEN_DECL std::string format_dsn(const std::map<std::string, std::string>& params, int major)
{
    const bool has_passfile = params.contains("passfile");
    struct kw { const char* name; int min; };
    const kw keywords[] = {
        {"dbname", 0}, {"user", 0}, {has_passfile ? "passfile" : "password", 0}, {"host", 0},
        {"port", 0}, {"sslmode", 0}, {"sslcompression", 0}, {"sslcert", 0}, {"sslkey", 0},
        {"sslpassword", 130000}, {"sslrootcert", 0}, {"sslcrl", 0}, {"sslcrldir", 140000},
        {"application_name", 0}, {"krbsrvname", 0}, {"gssencmode", 120000},
        {"channel_binding", 130000}, {"target_session_attrs", 100000}, {"sslnegotiation", 170000},
    };
    std::string out;
    for (const auto& k : keywords) {
        auto it = params.find(k.name);
        if (it == params.end() || major < k.min) continue;
        if (!out.empty()) out.push_back(' ');
        out += std::string(k.name) + "=" + escape_dsn_value(it->second);
    }
    return out;
}

PGWARDEN_DECL std::string render_pgpass(std::string_view hosts, std::string_view port,
                                         std::string_view user, std::string_view password)
{
    auto esc = [](std::string_view v) { return detail::escape_chars(v, ":\\", '\\', false); };
    std::vector<std::string> list;
    std::string_view rest = hosts.empty() ? std::string_view("*") : hosts;
    while (true) {
        auto comma = rest.find(',');
        auto h = rest.substr(0, comma);
        while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
        while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
        if (!h.empty()) list.push_back(esc(h));
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
    }
    const bool has_socket = std::any_of(list.begin(), list.end(), [](const auto& h) { return h.starts_with('/'); });
    if (has_socket && std::find(list.begin(), list.end(), "localhost") == list.end()) list.emplace_back("localhost");
    const std::string tail = ":" + esc(port.empty() ? "*" : port) + ":*:" + esc(user.empty() ? "*" : user) +
                             ":" + esc(password.empty() ? "*" : password) + "\n";
    std::string out;
    for (const auto& h : list) out += h + tail;
    return out;
}

PGWARDEN_DECL result<conn_url_parts> parse_conn_url(std::string_view url)
{
    conn_url_parts out;
    std::string_view rest;
    if (url.starts_with("postgres://")) rest = url.substr(11);
    else if (url.starts_with("postgresql://")) rest = url.substr(13);
    else return make_error_code(error::bad_output);
    auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) {
        auto db = rest.substr(slash + 1);
        auto q = db.find('?');
        out.dbname = std::string(db.substr(0, q));
    }
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        auto cred = authority.substr(0, at);
        authority = authority.substr(at + 1);
        auto colon = cred.find(':');
        out.user = std::string(cred.substr(0, colon));
        if (colon != std::string_view::npos) out.password = std::string(cred.substr(colon + 1));
    }
    if (authority.starts_with('[')) {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return make_error_code(error::bad_output);
        out.host = std::string(authority.substr(1, close - 1));
        authority = authority.substr(close + 1);
        if (authority.starts_with(':')) out.port = std::string(authority.substr(1));
    } else {
        auto colon = authority.rfind(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) out.port = std::string(authority.substr(colon + 1));
    }
    if (out.host.empty()) return make_error_code(error::bad_output);
    if (out.port.empty()) out.port = "5432";
    return out;
}

PGWARDEN_DECL listen_parts parse_listen(std::string_view listen)
{
    listen_parts out;
    std::string_view hosts = listen;
    if (auto colon = listen.rfind(':'); colon != std::string_view::npos && listen.find(']', colon) == std::string_view::npos) {
        hosts = listen.substr(0, colon);
        if (colon + 1 < listen.size()) out.port = std::string(listen.substr(colon + 1));
    }
    out.listen_addresses = std::string(hosts);
    std::string first;
    bool local = false;
    std::string_view rest = hosts;
    while (true) {
        auto comma = rest.find(',');
        auto h = rest.substr(0, comma);
        while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
        while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
        if (first.empty()) first = std::string(h);
        if (h == "*" || h == "localhost" || h == "0.0.0.0" || h == "127.0.0.1") local = true;
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
    }
    out.local_host = local || first.empty() ? "localhost" : first;
    return out;
}

PGWARDEN_DECL std::map<std::string, std::string>
forced_parameters(const controller_config& cfg, start_role role, int major, const controldata* cd)
{
    std::map<std::string, std::string> out;
    const auto lp = parse_listen(cfg.listen);
    out["listen_addresses"] = lp.listen_addresses;
    out["port"] = lp.port;
    for (const auto& d : detail::forced_defaults) {
        if (major < d.min_version) continue;
        std::string value = d.value;
        if (std::string_view(d.name) == "cluster_name") {
            value = cfg.scope;
        } else if (auto it = cfg.parameters.find(d.name); it != cfg.parameters.end()) {
            const std::string& user = it->second;
            const int min = detail::int_min_for(d.name);
            if (min > 0 || std::string_view(d.name) == "max_prepared_transactions") {
                long long n = 0;
                auto [p, ec] = std::from_chars(user.data(), user.data() + user.size(), n);
                if (ec == std::errc{} && p == user.data() + user.size() && n >= min) value = user;
            } else if (std::string_view(d.name) == "wal_level") {
                auto l = detail::lower_ascii(user);
                if (l == "hot_standby" || l == "replica" || l == "logical") value = l;
            } else if (std::string_view(d.name) == "hot_standby") {
                auto l = detail::lower_ascii(user);
                if (l == "on" || l == "true" || l == "yes" || l == "1") value = user;
            } else {
                value = user;   // bool GUCs: PostgreSQL validates the spelling
            }
        }
        if (std::string_view(d.name) == "wal_level") {
            if (major >= 90600 && value == "hot_standby") value = "replica";
            if (major < 90600 && value == "replica") value = "hot_standby";
        }
        out[d.name] = value;
    }
    if (role != start_role::primary && cd != nullptr) {
        static constexpr std::pair<const char*, const char*> names[] = {
            {"max_connections", "max_connections"},
            {"max_prepared_transactions", "max_prepared_xacts"},
            {"max_locks_per_transaction", "max_locks_per_xact"},
            {"max_worker_processes", "max_worker_processes"},
            {"max_wal_senders", "max_wal_senders"},
        };
        for (const auto& [name, cd_name] : names) {
            if (std::string_view(name) == "max_wal_senders" && major < 120000) continue;
            auto it = cd->settings.find(cd_name);
            auto cur = out.find(name);
            if (it == cd->settings.end() || cur == out.end()) continue;
            long long mine = 0;
            std::from_chars(cur->second.data(), cur->second.data() + cur->second.size(), mine);
            if (it->second > mine) cur->second = std::to_string(it->second);
        }
    }
    return out;
}

PGWARDEN_DECL std::map<std::string, std::string> conf_parameters(const controller_config& cfg, int major)
{
    std::map<std::string, std::string> out;
    for (const auto& [name, value] : cfg.parameters) {
        const auto lname = detail::lower_ascii(name);
        if (lname == "listen_addresses" || lname == "port") continue;
        if (std::any_of(detail::forced_defaults.begin(), detail::forced_defaults.end(),
                        [&](const auto& d) { return lname == d.name; }))
            continue;
        if (is_recovery_parameter(lname)) continue;
        out[lname] = value;
    }
    if (major >= 130000) {
        std::string segments = "8";
        if (auto it = out.find("wal_keep_segments"); it != out.end()) {
            segments = it->second;
            out.erase(it);
        }
        if (!out.contains("wal_keep_size")) {
            long long n = 8;
            std::from_chars(segments.data(), segments.data() + segments.size(), n);
            out["wal_keep_size"] = std::to_string(n * 16) + "MB";
        }
    } else {
        std::string size = "128MB";
        if (auto it = out.find("wal_keep_size"); it != out.end()) {
            size = it->second;
            out.erase(it);
        }
        if (!out.contains("wal_keep_segments")) {
            auto mb = detail::parse_size_mb(size).value_or(0);
            out["wal_keep_segments"] = std::to_string((mb + 8) / 16);
        }
    }
    return out;
}

PGWARDEN_DECL recovery_params build_recovery_params(const controller_config& cfg,
                                                    const std::optional<follow_target>& target, int major)
{
    recovery_params out;
    for (const auto& [name, value] : cfg.recovery_conf) {
        const auto lname = detail::lower_ascii(name);
        if (lname.starts_with("recovery_target") || lname == "primary_conninfo" || lname == "primary_slot_name")
            continue;
        out.params[lname] = value;
    }
    out.params["recovery_target_timeline"] = "latest";
    if (major < 120000) out.params["standby_mode"] = "on";
    if (major >= 120000) {
        for (const char* p : {"recovery_target", "recovery_target_name", "recovery_target_time",
                              "recovery_target_xid", "recovery_target_lsn"})
            out.params[p] = "";
    }
    if (!target) return out;
    if (target->timeline) out.params["recovery_target_timeline"] = std::to_string(*target->timeline);
    if (target->restore_command) out.params["restore_command"] = *target->restore_command;
    auto url = parse_conn_url(target->conn_url);
    if (!url || (target->member && *target->member == cfg.name)) return out;
    auto& ci = out.primary_conninfo;
    ci["host"] = url->host;
    ci["port"] = url->port;
    ci["user"] = cfg.replication.username;
    if (cfg.replication.password) ci["password"] = *cfg.replication.password;
    for (const auto& [k, v] : cfg.replication.ssl) ci[k] = v;
    ci["application_name"] = cfg.name;
    ci.emplace("sslmode", "prefer");
    if (major >= 120000) ci.emplace("gssencmode", "prefer");
    if (major >= 130000) ci.emplace("channel_binding", "prefer");
    if (major >= 170000) ci.emplace("sslnegotiation", "postgres");
    ci["dbname"] = url->dbname.empty() ? cfg.database : url->dbname;
    if (cfg.use_slots && major >= 90400) {
        if (target->slot_name) out.params["primary_slot_name"] = *target->slot_name;
        else if (!target->member || !target->member->empty())
            out.params["primary_slot_name"] = slot_name_from_member_name(cfg.name);
    }
    return out;
}

PGWARDEN_DECL std::string render_primary_conninfo(const std::map<std::string, std::string>& conninfo,
                                                  int major, std::string_view pgpass_path)
{
    auto ci = conninfo;
    if (major >= 100000 && ci.contains("password") && !pgpass_path.empty()) ci["passfile"] = std::string(pgpass_path);
    return format_dsn(ci, major);
}

PGWARDEN_DECL result<std::vector<std::string>>
render_cli_options(const std::vector<cli_option>& options, const std::vector<std::string_view>& forbidden)
{
    std::vector<std::string> out;
    for (const auto& o : options) {
        std::string_view name = o.name;
        while (name.starts_with('-')) name.remove_prefix(1);
        if (name.empty()) return make_error_code(error::invalid_option);
        if (std::find(forbidden.begin(), forbidden.end(), name) != forbidden.end())
            return make_error_code(error::invalid_option);
        out.push_back("--" + std::string(name) + (o.value ? "=" + *o.value : std::string{}));
    }
    return out;
}

PGWARDEN_DECL bool is_recovery_parameter(std::string_view name) noexcept
{
    static constexpr std::string_view names[] = {
        "archive_cleanup_command", "pause_at_recovery_target", "primary_conninfo", "primary_slot_name",
        "promote_trigger_file", "recovery_end_command", "recovery_min_apply_delay", "recovery_target",
        "recovery_target_action", "recovery_target_inclusive", "recovery_target_lsn", "recovery_target_name",
        "recovery_target_time", "recovery_target_timeline", "recovery_target_xid", "restore_command",
        "standby_mode", "trigger_file",
    };
    const auto l = detail::lower_ascii(name);
    return std::find(std::begin(names), std::end(names), l) != std::end(names);
}

PGWARDEN_DECL std::optional<std::string> sanitize_auto_conf(std::string_view text)
{
    std::string out;
    bool changed = false;
    while (!text.empty()) {
        auto nl = text.find('\n');
        auto line = text.substr(0, nl == std::string_view::npos ? text.size() : nl + 1);
        text.remove_prefix(line.size());
        std::string_view t = line;
        while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
        std::size_t n = 0;
        while (n < t.size() && (std::isalnum(static_cast<unsigned char>(t[n])) || t[n] == '_' || t[n] == '.')) ++n;
        std::string_view after = t.substr(n);
        while (!after.empty() && (after.front() == ' ' || after.front() == '\t')) after.remove_prefix(1);
        const bool is_param = n > 0 && (after.starts_with('=') || (!after.empty() && after.front() != '#' && after.front() != '\n'));
        if (is_param && is_recovery_parameter(t.substr(0, n))) {
            changed = true;
            continue;
        }
        out += line;
    }
    if (!changed) return std::nullopt;
    return out;
}

PGWARDEN_DECL std::map<std::string, std::string> parse_postmaster_opts(std::string_view text)
{
    // Patroni splits on `" "` and keeps the pieces that start with `--` and
    // hold a `=`: quoting inside values is not undone, as in Patroni.
    std::map<std::string, std::string> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto next = text.find("\" \"", pos);
        std::string_view opt = text.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
        pos = next == std::string_view::npos ? text.size() + 1 : next + 3;
        auto eq = opt.find('=');
        if (eq == std::string_view::npos || !opt.starts_with("--")) continue;
        std::string_view name = opt.substr(0, eq);
        while (!name.empty() && name.front() == '-') name.remove_prefix(1);
        while (!name.empty() && name.back() == '-') name.remove_suffix(1);
        std::string_view value = opt.substr(eq + 1);
        while (!value.empty() && (value.back() == '"' || value.back() == '\n')) value.remove_suffix(1);
        out[std::string(name)] = std::string(value);
    }
    return out;
}

PGWARDEN_DECL std::string build_archiver_command(std::string_view command, std::string_view wal_file,
                                                  std::string_view wal_dir)
{
    std::string out;
    for (std::size_t i = 0; i < command.size(); ++i) {
        if (command[i] != '%' || i + 1 >= command.size()) {
            out += command[i];
            continue;
        }
        switch (command[i + 1]) {
        case 'p': out.append(wal_dir).append("/").append(wal_file); ++i; break;
        case 'f': out.append(wal_file); ++i; break;
        case 'r': out.append("000000010000000000000001"); ++i; break;
        case '%': out += '%'; ++i; break;
        default: out += '%'; break;   // the next character is copied on its own
        }
    }
    return out;
}

PGWARDEN_DECL std::optional<std::string> ready_wal_segment(std::string_view name)
{
    if (!name.ends_with(".ready")) return std::nullopt;
    name.remove_suffix(6);
    std::string_view seg = name;
    if (seg.ends_with(".partial")) seg.remove_suffix(8);
    if (seg.size() != 24) return std::nullopt;
    for (char c : seg)
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return std::nullopt;
    return std::string(name);
}

} // namespace pgwarden::pg
