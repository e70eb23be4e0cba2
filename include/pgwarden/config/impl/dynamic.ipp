#pragma once
#include <pgwarden/config/document.hpp>
#include <pgwarden/config/dynamic.hpp>
#include <pgwarden/config/values.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>

namespace pgwarden::config {
namespace detail {

/// Python's int(): ints, floats truncated, bools, and decimal strings
/// (surrounding whitespace, one sign, '_' between digits). nullopt otherwise.
inline std::optional<std::int64_t> python_int(const boost::json::value& v)
{
    if (v.is_int64())
        return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v.get_uint64());
    if (v.is_double() && std::isfinite(v.get_double()))
        return static_cast<std::int64_t>(v.get_double());
    if (v.is_bool())
        return v.get_bool() ? 1 : 0;
    if (!v.is_string())
        return std::nullopt;
    std::string_view s = v.get_string();
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    bool neg = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        neg = s.front() == '-';
        s.remove_prefix(1);
    }
    if (s.empty() || s.front() == '_' || s.back() == '_')
        return std::nullopt;
    std::int64_t r = 0;
    char prev = 0;
    for (char c : s) {
        if (c == '_') {
            if (prev == '_')
                return std::nullopt;
        }
        else if (c >= '0' && c <= '9') {
            if (r > (INT64_MAX - 9) / 10)
                return std::nullopt;
            r = r * 10 + (c - '0');
        }
        else
            return std::nullopt;
        prev = c;
    }
    return neg ? -r : r;
}

/// parse_bool of Python's str(value): True -> "True" -> true, 1 -> "1" -> true.
inline std::optional<bool> lenient_bool(const boost::json::value& v)
{
    if (v.is_bool())
        return v.get_bool();
    if (v.is_null() || v.is_object() || v.is_array())
        return std::nullopt;
    return parse_bool(python_str(v));
}

inline std::optional<std::int64_t> lenient_int(const boost::json::value& v, std::string_view unit = {})
{
    if (v.is_int64())
        return v.get_int64();
    if (v.is_bool())
        return v.get_bool() ? 1 : 0;
    if (v.is_null() || v.is_object() || v.is_array())
        return std::nullopt;
    return parse_int(python_str(v), unit);
}

inline const boost::json::value* field(const boost::json::object& o, std::string_view k)
{
    auto it = o.find(k);
    return it == o.end() || it->value().is_null() ? nullptr : &it->value();
}

inline void read_int(const boost::json::object& o, std::string_view k, std::int64_t& out, std::string_view unit = {})
{
    if (const auto* v = field(o, k))
        if (auto i = lenient_int(*v, unit))
            out = *i;
}

inline void read_bool(const boost::json::object& o, std::string_view k, bool& out)
{
    if (const auto* v = field(o, k))
        if (auto b = lenient_bool(*v))
            out = *b;
}

inline scalar_map read_map(const boost::json::value* v)
{
    scalar_map m;
    if (v && v->is_object())
        for (const auto& kv : v->get_object()) {
            scalar s;
            const auto& x = kv.value();
            if (x.is_null())
                s = {};
            else if (x.is_bool())
                s = scalar::boolean(x.get_bool());
            else if (x.is_int64())
                s = scalar::integer(x.get_int64());
            else if (x.is_uint64())
                s = {scalar::kind::integer, std::to_string(x.get_uint64())};
            else if (x.is_double())
                s = {scalar::kind::real, boost::json::serialize(x)};
            else if (x.is_string())
                s = scalar::str(std::string(x.get_string()));
            else
                s = {scalar::kind::composite, boost::json::serialize(x)};
            m.items.emplace_back(std::string(kv.key()), std::move(s));
        }
    return m;
}

inline std::optional<std::vector<std::string>> read_list(const boost::json::value* v)
{
    if (!v || !v->is_array())
        return std::nullopt;
    std::vector<std::string> out;
    for (const auto& i : v->get_array())
        out.push_back(python_str(i));
    return out;
}

inline boost::json::value scalar_json(const scalar& s)
{
    switch (s.type) {
    case scalar::kind::null: return nullptr;
    case scalar::kind::boolean: return s.text == "true";
    case scalar::kind::integer: {
        boost::json::error_code ec;
        auto v = boost::json::parse(s.text, ec);
        return ec ? boost::json::value(boost::json::string(s.text)) : v;
    }
    case scalar::kind::real:
    case scalar::kind::composite: {
        boost::json::error_code ec;
        auto v = boost::json::parse(s.text, ec);
        return ec ? boost::json::value(boost::json::string(s.text)) : v;
    }
    case scalar::kind::string: return boost::json::string(s.text);
    }
    return nullptr;
}

inline boost::json::object map_json(const scalar_map& m)
{
    boost::json::object o;
    for (const auto& [k, v] : m.items)
        o[k] = scalar_json(v);
    return o;
}

inline boost::json::array list_json(const std::vector<std::string>& l)
{
    boost::json::array a;
    for (const auto& s : l)
        a.emplace_back(boost::json::string(s));
    return a;
}

inline void read_role(const boost::json::object& pg, std::string_view role, role_overrides& r)
{
    r.parameters = read_map(field(pg, "parameters_" + std::string(role)));
    r.pg_hba = read_list(field(pg, "pg_hba_" + std::string(role)));
    r.pg_ident = read_list(field(pg, "pg_ident_" + std::string(role)));
}

inline void read_dyn_postgresql(const boost::json::object& o, dynamic_postgresql& pg)
{
    if (const auto* v = field(o, "use_pg_rewind"))
        pg.use_pg_rewind = lenient_bool(*v);
    read_bool(o, "use_slots", pg.use_slots);
    pg.parameters = read_map(field(o, "parameters"));
    pg.recovery_conf = read_map(field(o, "recovery_conf"));
    pg.pg_hba = read_list(field(o, "pg_hba"));
    pg.pg_ident = read_list(field(o, "pg_ident"));
    if (const auto* v = field(o, "pg_ctl_timeout"))
        pg.pg_ctl_timeout = lenient_int(*v);
    read_role(o, "primary", pg.primary);
    read_role(o, "replica", pg.replica);
    read_role(o, "standby_leader", pg.standby_leader);
    static const std::string_view known[] = {
        "use_pg_rewind", "use_slots", "parameters", "recovery_conf", "pg_hba", "pg_ident", "pg_ctl_timeout",
        "parameters_primary", "parameters_replica", "parameters_standby_leader", "pg_hba_primary",
        "pg_hba_replica", "pg_hba_standby_leader", "pg_ident_primary", "pg_ident_replica",
        "pg_ident_standby_leader"};
    for (const auto& kv : o)
        if (std::find(std::begin(known), std::end(known), kv.key()) == std::end(known))
            pg.extra.emplace_back(std::string(kv.key()), boost::json::serialize(kv.value()));
}

// ---- forced parameters (config.md §8.1), in Patroni's CMDLINE_OPTIONS order

struct forced_guc {
    std::string_view name;
    std::optional<scalar> default_value;   ///< nullopt: never settable (listen_addresses, port, cluster_name)
    std::function<bool(const scalar&)> valid;
    bool integer;
    int min_version;
    int max_version;   ///< exclusive; 0 = none
};

inline bool int_at_least(const scalar& s, std::int64_t min, std::string_view unit = {})
{
    if (s.type == scalar::kind::boolean || s.type == scalar::kind::null || s.type == scalar::kind::composite)
        return false;
    auto i = parse_int(s.text, unit);
    return i && *i >= min;
}

inline const std::vector<forced_guc>& forced_gucs()
{
    static const std::vector<forced_guc> table = [] {
        auto never = [](const scalar&) { return false; };
        auto is_bool = [](const scalar& s) { return parse_bool(s.text).has_value(); };
        auto is_true = [](const scalar& s) { return parse_bool(s.text).value_or(false); };
        auto min = [](std::int64_t m) { return [m](const scalar& s) { return int_at_least(s, m); }; };
        auto wal_level = [](const scalar& s) {
            std::string l = s.text;
            std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            return s.type == scalar::kind::string && (l == "hot_standby" || l == "replica" || l == "logical");
        };
        return std::vector<forced_guc>{
            {"listen_addresses", std::nullopt, never, false, 90100, 0},
            {"port", std::nullopt, never, false, 90100, 0},
            {"cluster_name", std::nullopt, never, false, 90500, 0},
            {"wal_level", scalar::str("hot_standby"), wal_level, false, 90100, 0},
            {"hot_standby", scalar::str("on"), is_true, false, 90100, 0},
            {"max_connections", scalar::integer(100), min(25), true, 90100, 0},
            {"max_wal_senders", scalar::integer(10), min(3), true, 90100, 0},
            {"max_prepared_transactions", scalar::integer(0), min(0), true, 90100, 0},
            {"max_locks_per_transaction", scalar::integer(64), min(32), true, 90100, 0},
            {"track_commit_timestamp", scalar::str("off"), is_bool, false, 90500, 0},
            {"max_replication_slots", scalar::integer(10), min(4), true, 90400, 0},
            {"max_worker_processes", scalar::integer(8), min(2), true, 90400, 0},
            {"wal_log_hints", scalar::str("on"), is_bool, false, 90400, 0},
            {"wal_keep_segments", scalar::integer(8), min(1), true, 90100, 130000},
            {"wal_keep_size", scalar::str("128MB"),
             [](const scalar& s) { return int_at_least(s, 16, "MB"); }, true, 130000, 0},
        };
    }();
    return table;
}

inline const forced_guc* find_forced(std::string_view name)
{
    for (const auto& g : forced_gucs())
        if (g.name == name)
            return &g;
    return nullptr;
}

inline std::string default_text(const forced_guc& g)
{
    return g.default_value ? g.default_value->text : "None";
}

/// host part and port of `host[,host...]:port` (IPv6 in brackets).
inline std::pair<std::string, std::string> split_listen(const std::string& listen)
{
    auto colon = listen.rfind(':');
    auto bracket = listen.rfind(']');
    if (colon == std::string::npos || (bracket != std::string::npos && colon < bracket))
        return {listen, "5432"};
    std::string host = listen.substr(0, colon);
    std::string port = listen.substr(colon + 1);
    host.erase(std::remove(host.begin(), host.end(), '['), host.end());
    host.erase(std::remove(host.begin(), host.end(), ']'), host.end());
    return {host, port.empty() ? "5432" : port};
}

inline std::string fmt_scalar(const scalar& s)
{
    if (s.type == scalar::kind::boolean)
        return s.text == "true" ? "True" : "False";
    return s.type == scalar::kind::null ? "None" : s.text;
}

} // namespace detail

PGWARDEN_DECL result<dynamic_config> parse_dynamic(const boost::json::object& o, config_error* why)
{
    using namespace detail;
    dynamic_config d;
    for (auto key : {"ttl", "loop_wait", "retry_timeout"}) {
        auto it = o.find(key);
        if (it == o.end())
            continue;
        auto i = python_int(it->value());
        if (!i) {
            if (why) {
                why->code = error::bad_value;
                why->path = key;
                why->message = "invalid literal for int(): " + python_str(it->value());
            }
            return error::bad_value;
        }
        (key == std::string_view("ttl") ? d.ttl : key == std::string_view("loop_wait") ? d.loop_wait
                                                                                       : d.retry_timeout) = *i;
    }
    read_int(o, "maximum_lag_on_failover", d.maximum_lag_on_failover);
    read_int(o, "maximum_lag_on_syncnode", d.maximum_lag_on_syncnode);
    read_int(o, "max_timelines_history", d.max_timelines_history);
    read_int(o, field(o, "primary_start_timeout") ? "primary_start_timeout" : "master_start_timeout",
             d.primary_start_timeout);
    read_int(o, field(o, "primary_stop_timeout") ? "primary_stop_timeout" : "master_stop_timeout",
             d.primary_stop_timeout);
    read_int(o, "primary_race_backoff", d.primary_race_backoff);
    read_bool(o, "check_timeline", d.check_timeline);
    if (const auto* v = field(o, "synchronous_mode")) {
        std::string s = python_str(*v);
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (s == "quorum")
            d.sync_mode = synchronous_mode::quorum;
        else if (lenient_bool(*v).value_or(false))
            d.sync_mode = synchronous_mode::on;
    }
    read_bool(o, "synchronous_mode_strict", d.synchronous_mode_strict);
    read_int(o, "synchronous_node_count", d.synchronous_node_count);
    if (d.synchronous_mode_strict)
        d.synchronous_node_count = std::max<std::int64_t>(d.synchronous_node_count, 1);
    read_bool(o, "failsafe_mode", d.failsafe_mode);
    read_bool(o, "pause", d.pause);
    read_int(o, "member_slots_ttl", d.member_slots_ttl_s, "s");
    for (auto key : {"permanent_replication_slots", "permanent_slots", "slots"}) {
        const auto* v = field(o, key);
        if (!v || !v->is_object() || v->get_object().empty())
            continue;
        for (const auto& kv : v->get_object()) {
            permanent_slot s;
            s.name = kv.key();
            if (kv.value().is_object()) {
                const auto& so = kv.value().get_object();
                if (const auto* t = field(so, "type"))
                    s.type = python_str(*t);
                if (const auto* t = field(so, "database"))
                    s.database = python_str(*t);
                if (const auto* t = field(so, "plugin"))
                    s.plugin = python_str(*t);
                if (const auto* t = field(so, "cluster_type"))
                    s.cluster_type = python_str(*t);
            }
            d.slots.push_back(std::move(s));
        }
        break;
    }
    if (const auto* v = field(o, "ignore_slots"); v && v->is_array())
        for (const auto& item : v->get_array()) {
            if (!item.is_object())
                continue;
            ignore_slot s;
            const auto& so = item.get_object();
            if (const auto* t = field(so, "name"))
                s.name = python_str(*t);
            if (const auto* t = field(so, "type"))
                s.type = python_str(*t);
            if (const auto* t = field(so, "database"))
                s.database = python_str(*t);
            if (const auto* t = field(so, "plugin"))
                s.plugin = python_str(*t);
            d.ignore_slots.push_back(std::move(s));
        }
    if (const auto* v = field(o, "standby_cluster"); v && v->is_object()) {
        standby_cluster_config s;
        const auto& so = v->get_object();
        auto str = [&](std::string_view k, std::string& out) {
            if (const auto* t = field(so, k))
                out = python_str(*t);
        };
        str("host", s.host);
        str("port", s.port);
        str("primary_slot_name", s.primary_slot_name);
        str("restore_command", s.restore_command);
        str("archive_cleanup_command", s.archive_cleanup_command);
        str("recovery_min_apply_delay", s.recovery_min_apply_delay);
        if (auto l = read_list(field(so, "create_replica_methods")))
            s.create_replica_methods = *l;
        d.standby_cluster = std::move(s);
    }
    if (const auto* v = field(o, "postgresql"); v && v->is_object())
        read_dyn_postgresql(v->get_object(), d.postgresql);
    static const std::string_view known[] = {
        "ttl", "loop_wait", "retry_timeout", "maximum_lag_on_failover", "maximum_lag_on_syncnode",
        "max_timelines_history", "primary_start_timeout", "master_start_timeout", "primary_stop_timeout",
        "master_stop_timeout", "primary_race_backoff", "check_timeline", "synchronous_mode",
        "synchronous_mode_strict", "synchronous_node_count", "failsafe_mode", "pause", "member_slots_ttl",
        "permanent_replication_slots", "permanent_slots", "slots", "ignore_slots", "standby_cluster",
        "postgresql"};
    for (const auto& kv : o)
        if (std::find(std::begin(known), std::end(known), kv.key()) == std::end(known))
            d.extra.emplace_back(std::string(kv.key()), boost::json::serialize(kv.value()));
    return d;
}

PGWARDEN_DECL result<dynamic_config> parse_dynamic(std::string_view json, config_error* why)
{
    boost::json::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (ec) {
        if (why) {
            why->code = error::syntax;
            why->path = "config";
            why->message = ec.message();
        }
        return error::syntax;
    }
    if (!v.is_object()) {
        if (why) {
            why->code = error::invalid_file;
            why->path = "config";
            why->message = "the dynamic configuration is not a JSON object";
        }
        return error::invalid_file;
    }
    return parse_dynamic(v.get_object(), why);
}

PGWARDEN_DECL std::string encode_dynamic(const dynamic_config& d)
{
    using namespace detail;
    const dynamic_config def;
    boost::json::object o;
    o["ttl"] = d.ttl;
    o["loop_wait"] = d.loop_wait;
    o["retry_timeout"] = d.retry_timeout;
    o["maximum_lag_on_failover"] = d.maximum_lag_on_failover;
    if (d.maximum_lag_on_syncnode != def.maximum_lag_on_syncnode)
        o["maximum_lag_on_syncnode"] = d.maximum_lag_on_syncnode;
    if (d.max_timelines_history != def.max_timelines_history)
        o["max_timelines_history"] = d.max_timelines_history;
    if (d.primary_start_timeout != def.primary_start_timeout)
        o["primary_start_timeout"] = d.primary_start_timeout;
    if (d.primary_stop_timeout != def.primary_stop_timeout)
        o["primary_stop_timeout"] = d.primary_stop_timeout;
    if (d.primary_race_backoff != def.primary_race_backoff)
        o["primary_race_backoff"] = d.primary_race_backoff;
    if (d.check_timeline)
        o["check_timeline"] = true;
    if (d.sync_mode == synchronous_mode::quorum)
        o["synchronous_mode"] = "quorum";
    else if (d.sync_mode == synchronous_mode::on)
        o["synchronous_mode"] = true;
    if (d.synchronous_mode_strict)
        o["synchronous_mode_strict"] = true;
    if (d.synchronous_node_count != def.synchronous_node_count)
        o["synchronous_node_count"] = d.synchronous_node_count;
    if (d.failsafe_mode)
        o["failsafe_mode"] = true;
    if (d.pause)
        o["pause"] = true;
    if (d.member_slots_ttl_s != def.member_slots_ttl_s)
        o["member_slots_ttl"] = d.member_slots_ttl_s;
    if (!d.slots.empty()) {
        boost::json::object slots;
        for (const auto& s : d.slots) {
            boost::json::object so;
            so["type"] = s.type;
            if (!s.database.empty())
                so["database"] = s.database;
            if (!s.plugin.empty())
                so["plugin"] = s.plugin;
            if (!s.cluster_type.empty())
                so["cluster_type"] = s.cluster_type;
            slots[s.name] = std::move(so);
        }
        o["slots"] = std::move(slots);
    }
    if (!d.ignore_slots.empty()) {
        boost::json::array a;
        for (const auto& s : d.ignore_slots) {
            boost::json::object so;
            if (!s.name.empty())
                so["name"] = s.name;
            if (!s.type.empty())
                so["type"] = s.type;
            if (!s.database.empty())
                so["database"] = s.database;
            if (!s.plugin.empty())
                so["plugin"] = s.plugin;
            a.push_back(std::move(so));
        }
        o["ignore_slots"] = std::move(a);
    }
    if (d.standby_cluster) {
        const auto& s = *d.standby_cluster;
        boost::json::object so;
        auto put = [&](std::string_view k, const std::string& v) {
            if (!v.empty())
                so[k] = v;
        };
        put("host", s.host);
        if (!s.port.empty()) {
            auto p = parse_int(s.port);
            so["port"] = p ? boost::json::value(*p) : boost::json::value(boost::json::string(s.port));
        }
        put("primary_slot_name", s.primary_slot_name);
        if (!s.create_replica_methods.empty())
            so["create_replica_methods"] = list_json(s.create_replica_methods);
        put("restore_command", s.restore_command);
        put("archive_cleanup_command", s.archive_cleanup_command);
        put("recovery_min_apply_delay", s.recovery_min_apply_delay);
        o["standby_cluster"] = std::move(so);
    }
    boost::json::object pg;
    const auto& p = d.postgresql;
    if (p.use_pg_rewind)
        pg["use_pg_rewind"] = *p.use_pg_rewind;
    pg["use_slots"] = p.use_slots;
    pg["parameters"] = map_json(p.parameters);
    if (!p.recovery_conf.empty())
        pg["recovery_conf"] = map_json(p.recovery_conf);
    if (p.pg_hba)
        pg["pg_hba"] = list_json(*p.pg_hba);
    if (p.pg_ident)
        pg["pg_ident"] = list_json(*p.pg_ident);
    if (p.pg_ctl_timeout)
        pg["pg_ctl_timeout"] = *p.pg_ctl_timeout;
    auto role = [&](std::string_view name, const role_overrides& r) {
        if (!r.parameters.empty())
            pg["parameters_" + std::string(name)] = map_json(r.parameters);
        if (r.pg_hba)
            pg["pg_hba_" + std::string(name)] = list_json(*r.pg_hba);
        if (r.pg_ident)
            pg["pg_ident_" + std::string(name)] = list_json(*r.pg_ident);
    };
    role("primary", p.primary);
    role("replica", p.replica);
    role("standby_leader", p.standby_leader);
    for (const auto& [k, v] : p.extra) {
        boost::json::error_code ec;
        auto j = boost::json::parse(v, ec);
        if (!ec)
            pg[k] = std::move(j);
    }
    o["postgresql"] = std::move(pg);
    for (const auto& [k, v] : d.extra) {
        boost::json::error_code ec;
        auto j = boost::json::parse(v, ec);
        if (!ec)
            o[k] = std::move(j);
    }
    return boost::json::serialize(o);
}

PGWARDEN_DECL std::vector<std::string> adjust_timeouts(dynamic_config& d)
{
    std::vector<std::string> w;
    auto raise = [&](std::string_view name, std::int64_t& v, std::int64_t min) {
        if (v < min) {
            w.push_back(std::string(name) + "=" + std::to_string(v) + " can't be smaller than " +
                        std::to_string(min) + ", adjusting...");
            v = min;
        }
    };
    raise("loop_wait", d.loop_wait, 1);
    raise("retry_timeout", d.retry_timeout, 3);
    raise("ttl", d.ttl, 20);
    const std::int64_t loop_wait = d.loop_wait;
    const std::int64_t retry_timeout = d.retry_timeout;
    if (1 + 2 * retry_timeout > d.ttl) {
        d.loop_wait = 1;
        d.retry_timeout = (d.ttl - 1) / 2;
        w.push_back("Violated the rule \"loop_wait + 2*retry_timeout <= ttl\", where ttl=" + std::to_string(d.ttl) +
                    ". Adjusting loop_wait from " + std::to_string(loop_wait) + " to 1 and retry_timeout from " +
                    std::to_string(retry_timeout) + " to " + std::to_string(d.retry_timeout));
    }
    else if (loop_wait + 2 * retry_timeout > d.ttl) {
        d.loop_wait = d.ttl - 2 * retry_timeout;
        w.push_back("Violated the rule \"loop_wait + 2*retry_timeout <= ttl\", where ttl=" + std::to_string(d.ttl) +
                    " and retry_timeout=" + std::to_string(retry_timeout) + ". Adjusting loop_wait from " +
                    std::to_string(loop_wait) + " to " + std::to_string(d.loop_wait));
    }
    return w;
}

PGWARDEN_DECL bool is_forced_parameter(std::string_view name) noexcept
{
    return detail::find_forced(name) != nullptr;
}

PGWARDEN_DECL bool is_command_line_parameter(std::string_view name) noexcept
{
    return is_forced_parameter(name) && name != "wal_keep_segments" && name != "wal_keep_size";
}

PGWARDEN_DECL effective_config merge_effective(const local_config& local, const dynamic_config& dyn,
                                               std::vector<std::string>* warnings)
{
    using namespace detail;
    effective_config e{local, dyn};
    auto w = adjust_timeouts(e.dynamic);
    if (warnings)
        warnings->insert(warnings->end(), w.begin(), w.end());

    // Parameters: forced defaults, then dynamic (forced ones validated), then local (forced ones dropped).
    scalar_map params;
    for (const auto& g : forced_gucs())
        if (g.default_value && g.name != "wal_keep_segments" && g.name != "wal_keep_size")
            params.set(std::string(g.name), *g.default_value);
    for (const auto& [name, value] : dyn.postgresql.parameters.items) {
        const forced_guc* g = find_forced(name);
        if (!g) {
            params.set(name, value);
            continue;
        }
        if (!g->valid(value)) {
            if (warnings)
                warnings->push_back("postgresql parameter " + name + "=" + fmt_scalar(value) +
                                    " failed validation, defaulting to " + default_text(*g));
            continue;
        }
        auto i = g->integer && value.type != scalar::kind::boolean ? parse_int(value.text) : std::nullopt;
        params.set(name, i ? scalar::integer(*i) : value);
    }
    for (const auto& [name, value] : local.postgresql.parameters.items)
        if (!find_forced(name))
            params.set(name, value);
    auto& pg = e.local.postgresql;
    pg.parameters = std::move(params);

    // Other dynamic postgresql keys sit under the local ones.
    const auto& dp = dyn.postgresql;
    if (!pg.use_pg_rewind)
        pg.use_pg_rewind = dp.use_pg_rewind;
    if (!pg.pg_hba)
        pg.pg_hba = dp.pg_hba;
    if (!pg.pg_ident)
        pg.pg_ident = dp.pg_ident;
    if (!pg.pg_ctl_timeout)
        pg.pg_ctl_timeout = dp.pg_ctl_timeout;
    if (!pg.recovery_conf && !dp.recovery_conf.empty())
        pg.recovery_conf = dp.recovery_conf;
    auto role = [](role_overrides& l, const role_overrides& r) {
        if (l.parameters.empty())
            l.parameters = r.parameters;
        if (!l.pg_hba)
            l.pg_hba = r.pg_hba;
        if (!l.pg_ident)
            l.pg_ident = r.pg_ident;
    };
    role(pg.primary, dp.primary);
    role(pg.replica, dp.replica);
    role(pg.standby_leader, dp.standby_leader);
    pg.use_slots = dp.use_slots;   // dynamic only
    for (const auto& [k, v] : dp.extra) {
        // Boolean flags commonly set under bootstrap.dcs.postgresql (Debian's template does).
        boost::json::error_code ec;
        auto j = boost::json::parse(v, ec);
        if (ec)
            continue;
        auto b = lenient_bool(j);
        if (k == "remove_data_directory_on_rewind_failure" && b && !pg.remove_data_directory_on_rewind_failure)
            pg.remove_data_directory_on_rewind_failure = *b;
        else if (k == "remove_data_directory_on_diverged_timelines" && b &&
                 !pg.remove_data_directory_on_diverged_timelines)
            pg.remove_data_directory_on_diverged_timelines = *b;
        else if (k == "use_unix_socket" && b && !pg.use_unix_socket)
            pg.use_unix_socket = *b;
        else if (k == "use_unix_socket_repl" && b && !pg.use_unix_socket_repl)
            pg.use_unix_socket_repl = *b;
    }
    return e;
}

PGWARDEN_DECL scalar_map forced_parameters(const effective_config& cfg, int pg_version)
{
    using namespace detail;
    scalar_map out;
    const auto& params = cfg.local.postgresql.parameters;
    auto [host, port] = split_listen(cfg.local.postgresql.listen);
    for (const auto& g : forced_gucs()) {
        if (pg_version < g.min_version || (g.max_version && pg_version >= g.max_version))
            continue;
        std::string name(g.name);
        if (name == "listen_addresses")
            out.set(name, scalar::str(host));
        else if (name == "port") {
            auto p = parse_int(port);
            out.set(name, p ? scalar::integer(*p) : scalar::str(port));
        }
        else if (name == "cluster_name")
            out.set(name, scalar::str(cfg.local.scope));
        else if (name == "wal_keep_segments" || name == "wal_keep_size") {
            // Only one of them exists on a given version; convert from the other (16 MB segments).
            const scalar* seg = params.find("wal_keep_segments");
            const scalar* size = params.find("wal_keep_size");
            if (name == "wal_keep_size") {
                if (size && g.valid(*size))
                    out.set(name, *size);
                else if (seg && int_at_least(*seg, 1))
                    out.set(name, scalar::str(std::to_string(*parse_int(seg->text) * 16) + "MB"));
                else
                    out.set(name, *g.default_value);
            }
            else {
                if (seg && g.valid(*seg))
                    out.set(name, scalar::integer(*parse_int(seg->text)));
                else if (size && int_at_least(*size, 16, "MB"))
                    out.set(name, scalar::integer((*parse_int(size->text, "MB") + 8) / 16));
                else
                    out.set(name, *g.default_value);
            }
        }
        else {
            const scalar* v = params.find(name);
            scalar value = v ? *v : *g.default_value;
            if (name == "wal_level") {
                std::string l = value.text;
                std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                if (pg_version >= 90600 && l == "hot_standby")
                    value = scalar::str("replica");
                else if (pg_version < 90600 && l == "replica")
                    value = scalar::str("hot_standby");
            }
            out.set(name, std::move(value));
        }
    }
    return out;
}

PGWARDEN_DECL scalar_map parameters_for_role(const effective_config& cfg, std::string_view role,
                                             std::vector<std::string>* warnings)
{
    using namespace detail;
    const auto& pg = cfg.local.postgresql;
    const role_overrides* r = nullptr;
    if (role == "primary" || role == "promoted")
        r = &pg.primary;
    else if (role == "replica" || role == "demoted")
        r = &pg.replica;
    else if (role == "standby_leader")
        r = &pg.standby_leader;
    scalar_map out = pg.parameters;
    if (!r)
        return out;
    for (const auto& [k, v] : r->parameters.items) {
        if (find_forced(k)) {
            if (warnings)
                warnings->push_back("Role-based config attempted to override protected parameter '" + k +
                                    "', ignoring");
            continue;
        }
        out.set(k, v);
    }
    return out;
}

PGWARDEN_DECL result<dynamic_config> load_dynamic_cache(const std::filesystem::path& data_dir, config_error* why)
{
    const auto path = data_dir / "patroni.dynamic.json";
    std::ifstream in(path);
    if (!in) {
        if (why) {
            why->code = error::not_found;
            why->path = path.string();
            why->message = "no dynamic configuration cache";
        }
        return error::not_found;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_dynamic(ss.str(), why);
}

PGWARDEN_DECL result<void> save_dynamic_cache(const std::filesystem::path& data_dir, const dynamic_config& d)
{
    struct stat st{};
    mode_t mode = 0600;
    if (::stat(data_dir.c_str(), &st) == 0 && (st.st_mode & 0750) == 0750)
        mode = 0640;
    std::string tmpl = (data_dir / "patroni.dynamic.jsonXXXXXX").string();
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0)
        return error::io;
    const std::string text = encode_dynamic(d);
    bool ok = ::fchmod(fd, mode) == 0;
    std::size_t off = 0;
    while (ok && off < text.size()) {
        ssize_t n = ::write(fd, text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (ok)
            off += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    ok = ::close(fd) == 0 && ok;
    if (ok)
        ok = ::rename(tmpl.c_str(), (data_dir / "patroni.dynamic.json").c_str()) == 0;
    if (!ok) {
        (void)::unlink(tmpl.c_str());   // nothing more to do if the cleanup fails too
        return error::io;
    }
    return {};
}

} // namespace pgwarden::config
