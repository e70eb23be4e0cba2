#pragma once
#include <pgwarden/config/document.hpp>
#include <pgwarden/config/load.hpp>
#include <pgwarden/config/values.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

namespace pgwarden::config {
namespace detail {

using jv = boost::json::value;
using jo = boost::json::object;

inline std::string sub(const std::string& path, std::string_view key)
{
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

inline const jv* get(const jo& o, std::string_view key) noexcept
{
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null())
        return nullptr;
    return &it->value();
}

inline scalar to_scalar(const jv& v)
{
    switch (v.kind()) {
    case boost::json::kind::null: return {};
    case boost::json::kind::bool_: return scalar::boolean(v.get_bool());
    case boost::json::kind::int64: return scalar::integer(v.get_int64());
    case boost::json::kind::uint64: return {scalar::kind::integer, std::to_string(v.get_uint64())};
    case boost::json::kind::double_: return {scalar::kind::real, boost::json::serialize(v)};
    case boost::json::kind::string: return scalar::str(std::string(v.get_string()));
    case boost::json::kind::array:
    case boost::json::kind::object: return {scalar::kind::composite, boost::json::serialize(v)};
    }
    return {};
}

/// Reads typed values out of the tree, recording the first error with its path.
class reader {
public:
    explicit reader(config_error* why) : why_(why) {}
    bool failed() const noexcept { return failed_; }

    void fail(const std::string& path, const jv* v, const std::string& msg)
    {
        if (failed_)
            return;
        failed_ = true;
        if (why_) {
            why_->code = error::bad_value;
            why_->path = path;
            why_->message = v ? python_str(*v) + " " + msg : msg;
        }
    }

    /// A string key: strings as they are, numbers/bools as Python's str() shows them.
    void str(const jo& o, std::string_view key, const std::string& path, std::string& out)
    {
        if (const jv* v = get(o, key)) {
            if (v->is_object() || v->is_array())
                fail(sub(path, key), v, "is not a string");
            else
                out = python_str(*v);
        }
    }
    void str(const jo& o, std::string_view key, const std::string& path, std::optional<std::string>& out)
    {
        std::string s;
        if (get(o, key)) {
            str(o, key, path, s);
            out = s;
        }
    }
    void integer(const jo& o, std::string_view key, const std::string& path, std::int64_t& out,
                 std::string_view unit = {})
    {
        if (const jv* v = get(o, key)) {
            if (auto i = as_int(*v, unit))
                out = *i;
            else
                fail(sub(path, key), v, "is not an integer");
        }
    }
    void integer(const jo& o, std::string_view key, const std::string& path, std::optional<std::int64_t>& out)
    {
        std::int64_t i = 0;
        if (get(o, key)) {
            integer(o, key, path, i);
            out = i;
        }
    }
    void real(const jo& o, std::string_view key, const std::string& path, double& out)
    {
        if (const jv* v = get(o, key)) {
            if (v->is_number())
                out = v->to_number<double>();
            else if (auto d = v->is_string() ? parse_real(v->get_string()) : std::nullopt)
                out = *d;
            else
                fail(sub(path, key), v, "is not a number");
        }
    }
    void boolean(const jo& o, std::string_view key, const std::string& path, bool& out)
    {
        if (const jv* v = get(o, key)) {
            if (auto b = as_bool(*v))
                out = *b;
            else
                fail(sub(path, key), v, "is not a boolean");
        }
    }
    void boolean(const jo& o, std::string_view key, const std::string& path, std::optional<bool>& out)
    {
        bool b = false;
        if (get(o, key)) {
            boolean(o, key, path, b);
            out = b;
        }
    }
    /// A list of strings; `comma_string` also accepts "a,b,c".
    void strings(const jo& o, std::string_view key, const std::string& path, std::vector<std::string>& out,
                 bool comma_string = false)
    {
        const jv* v = get(o, key);
        if (!v)
            return;
        out.clear();
        if (v->is_array()) {
            std::size_t i = 0;
            for (const auto& item : v->get_array()) {
                if (item.is_object() || item.is_array())
                    fail(sub(path, key) + "." + std::to_string(i), &item, "is not a string");
                else
                    out.push_back(python_str(item));
                ++i;
            }
        }
        else if (comma_string && v->is_string()) {
            std::stringstream ss{std::string(v->get_string())};
            std::string part;
            while (std::getline(ss, part, ','))
                if (auto t = std::string(trim_view(part)); !t.empty())
                    out.push_back(t);
        }
        else
            fail(sub(path, key), v, "is not a list");
    }
    void strings(const jo& o, std::string_view key, const std::string& path,
                 std::optional<std::vector<std::string>>& out)
    {
        if (get(o, key)) {
            std::vector<std::string> l;
            strings(o, key, path, l);
            out = std::move(l);
        }
    }
    void map(const jo& o, std::string_view key, const std::string& path, scalar_map& out)
    {
        const jv* v = get(o, key);
        if (!v)
            return;
        if (!v->is_object()) {
            fail(sub(path, key), v, "is not a dictionary");
            return;
        }
        out.items.clear();
        for (const auto& kv : v->get_object())
            out.items.emplace_back(std::string(kv.key()), to_scalar(kv.value()));
    }
    /// A sub-section: nullptr when absent or null; an error when not a map.
    const jo* section(const jo& o, std::string_view key, const std::string& path)
    {
        const jv* v = get(o, key);
        if (!v)
            return nullptr;
        if (!v->is_object()) {
            fail(sub(path, key), v, "is not a dictionary");
            return nullptr;
        }
        return &v->get_object();
    }
    /// initdb / basebackup / rewind options: a list of str or one-key maps, or a map.
    void options(const jo& o, std::string_view key, const std::string& path, std::vector<tool_option>& out)
    {
        const jv* v = get(o, key);
        if (!v)
            return;
        out.clear();
        auto add_map = [&](const jo& m) {
            for (const auto& kv : m)
                out.push_back({std::string(kv.key()), python_str(kv.value())});
        };
        if (v->is_object())
            add_map(v->get_object());
        else if (v->is_array()) {
            std::size_t i = 0;
            for (const auto& item : v->get_array()) {
                if (item.is_object())
                    add_map(item.get_object());
                else if (item.is_array())
                    fail(sub(path, key) + "." + std::to_string(i), &item, "is not a string or a dictionary");
                else
                    out.push_back({python_str(item), std::nullopt});
                ++i;
            }
        }
        else
            fail(sub(path, key), v, "is not a list");
    }

    static std::optional<std::int64_t> as_int(const jv& v, std::string_view unit = {})
    {
        if (v.is_int64())
            return v.get_int64();
        if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
            return static_cast<std::int64_t>(v.get_uint64());
        if (v.is_double())
            return static_cast<std::int64_t>(v.get_double());
        if (v.is_string())
            return parse_int(v.get_string(), unit);
        return std::nullopt;
    }
    static std::optional<bool> as_bool(const jv& v)
    {
        if (v.is_bool())
            return v.get_bool();
        if (v.is_int64())
            return v.get_int64() != 0 ? std::optional<bool>(v.get_int64() == 1) : false;
        if (v.is_string())
            return parse_bool(v.get_string());
        return std::nullopt;
    }

private:
    static std::string_view trim_view(std::string_view s)
    {
        while (!s.empty() && s.front() == ' ')
            s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ')
            s.remove_suffix(1);
        return s;
    }
    config_error* why_;
    bool failed_ = false;
};

inline void read_user(reader& r, const jo& o, const std::string& path, pg_user& u)
{
    r.str(o, "username", path, u.username);
    r.str(o, "password", path, u.password);
    r.str(o, "sslmode", path, u.sslmode);
    r.str(o, "sslcert", path, u.sslcert);
    r.str(o, "sslkey", path, u.sslkey);
    r.str(o, "sslpassword", path, u.sslpassword);
    r.str(o, "sslrootcert", path, u.sslrootcert);
    r.str(o, "sslcrl", path, u.sslcrl);
    r.str(o, "sslcrldir", path, u.sslcrldir);
    r.str(o, "gssencmode", path, u.gssencmode);
    r.str(o, "channel_binding", path, u.channel_binding);
    r.str(o, "sslnegotiation", path, u.sslnegotiation);
}

inline void read_log(reader& r, const jo& o, log_config& l)
{
    const std::string p = "log";
    r.str(o, "type", p, l.type);
    r.str(o, "level", p, l.level);
    r.str(o, "traceback_level", p, l.traceback_level);
    if (const jv* f = get(o, "format")) {
        if (f->is_string())
            l.format = f->get_string();
        else if (f->is_array()) {
            std::size_t i = 0;
            for (const auto& item : f->get_array()) {
                if (item.is_string())
                    l.format_fields.push_back({std::string(item.get_string()), std::string(item.get_string())});
                else if (item.is_object() && item.get_object().size() == 1 &&
                         item.get_object().begin()->value().is_string()) {
                    const auto& kv = *item.get_object().begin();
                    l.format_fields.push_back({std::string(kv.key()), std::string(kv.value().get_string())});
                }
                else
                    r.fail("log.format." + std::to_string(i), &item,
                           "each item should be a string or a dictionary with string values");
                ++i;
            }
        }
        // Anything else: Patroni warns and keeps the default format; so do we (validate reports it).
    }
    r.str(o, "dateformat", p, l.dateformat);
    r.map(o, "static_fields", p, l.static_fields);
    r.integer(o, "max_queue_size", p, l.max_queue_size);
    r.str(o, "dir", p, l.dir);
    if (get(o, "mode")) {
        std::int64_t m = 0;
        r.integer(o, "mode", p, m);
        l.mode = static_cast<int>(m);
    }
    r.integer(o, "file_size", p, l.file_size);
    r.integer(o, "file_num", p, l.file_num);
    scalar_map loggers;
    r.map(o, "loggers", p, loggers);
    for (auto& [k, v] : loggers.items)
        l.loggers.emplace_back(k, v.text);
    r.boolean(o, "deduplicate_heartbeat_logs", p, l.deduplicate_heartbeat_logs);
}

inline void read_role_overrides(reader& r, const jo& o, const std::string& p, std::string_view role,
                                role_overrides& out)
{
    r.map(o, "parameters_" + std::string(role), p, out.parameters);
    r.strings(o, "pg_hba_" + std::string(role), p, out.pg_hba);
    r.strings(o, "pg_ident_" + std::string(role), p, out.pg_ident);
}

inline void read_postgresql(reader& r, const jo& o, postgresql_config& pg)
{
    const std::string p = "postgresql";
    r.str(o, "listen", p, pg.listen);
    r.str(o, "connect_address", p, pg.connect_address);
    r.str(o, "proxy_address", p, pg.proxy_address);
    r.str(o, "data_dir", p, pg.data_dir);
    r.str(o, "config_dir", p, pg.config_dir);
    r.str(o, "config_base_name", p, pg.config_base_name);
    r.str(o, "custom_conf", p, pg.custom_conf);
    r.str(o, "bin_dir", p, pg.bin_dir);
    scalar_map bin_name;
    r.map(o, "bin_name", p, bin_name);
    for (auto& [k, v] : bin_name.items)
        if (!v.is_null())
            pg.bin_name.emplace_back(k, v.text);
    r.str(o, "database", p, pg.database);
    r.str(o, "pgpass", p, pg.pgpass);
    if (const jo* auth = r.section(o, "authentication", p)) {
        const std::string ap = p + ".authentication";
        if (const jo* s = r.section(*auth, "superuser", ap))
            read_user(r, *s, ap + ".superuser", pg.authentication.superuser);
        if (const jo* s = r.section(*auth, "replication", ap))
            read_user(r, *s, ap + ".replication", pg.authentication.replication);
        if (const jo* s = r.section(*auth, "rewind", ap)) {
            pg.authentication.rewind.emplace();
            read_user(r, *s, ap + ".rewind", *pg.authentication.rewind);
        }
    }
    if (const jo* cb = r.section(o, "callbacks", p)) {
        const std::string cp = p + ".callbacks";
        r.str(*cb, "on_start", cp, pg.callbacks.on_start);
        r.str(*cb, "on_stop", cp, pg.callbacks.on_stop);
        r.str(*cb, "on_restart", cp, pg.callbacks.on_restart);
        r.str(*cb, "on_reload", cp, pg.callbacks.on_reload);
        r.str(*cb, "on_role_change", cp, pg.callbacks.on_role_change);
    }
    if (get(o, "create_replica_methods"))
        r.strings(o, "create_replica_methods", p, pg.create_replica_methods);
    else if (get(o, "create_replica_method"))
        r.strings(o, "create_replica_method", p, pg.create_replica_methods);
    for (const auto& name : pg.create_replica_methods) {
        if (name == "basebackup")
            continue;
        const jv* sec = get(o, name);
        if (!sec || !sec->is_object())
            continue;
        replica_method m;
        m.name = name;
        const std::string mp = sub(p, name);
        for (const auto& kv : sec->get_object()) {
            if (kv.key() == "command")
                r.str(sec->get_object(), "command", mp, m.command);
            else if (kv.key() == "keep_data")
                r.boolean(sec->get_object(), "keep_data", mp, m.keep_data);
            else if (kv.key() == "no_params")
                r.boolean(sec->get_object(), "no_params", mp, m.no_params);
            else if (kv.key() == "no_leader")
                r.boolean(sec->get_object(), "no_leader", mp, m.no_leader);
            else
                m.options.items.emplace_back(std::string(kv.key()), to_scalar(kv.value()));
        }
        pg.replica_methods.push_back(std::move(m));
    }
    r.options(o, "basebackup", p, pg.basebackup);
    r.options(o, "rewind", p, pg.rewind);
    r.boolean(o, "use_pg_rewind", p, pg.use_pg_rewind);
    r.boolean(o, "remove_data_directory_on_rewind_failure", p, pg.remove_data_directory_on_rewind_failure);
    r.boolean(o, "remove_data_directory_on_diverged_timelines", p, pg.remove_data_directory_on_diverged_timelines);
    r.map(o, "parameters", p, pg.parameters);
    read_role_overrides(r, o, p, "primary", pg.primary);
    read_role_overrides(r, o, p, "replica", pg.replica);
    read_role_overrides(r, o, p, "standby_leader", pg.standby_leader);
    r.strings(o, "pg_hba", p, pg.pg_hba);
    r.strings(o, "pg_ident", p, pg.pg_ident);
    r.integer(o, "pg_ctl_timeout", p, pg.pg_ctl_timeout);
    if (get(o, "recovery_conf")) {
        pg.recovery_conf.emplace();
        r.map(o, "recovery_conf", p, *pg.recovery_conf);
    }
    r.boolean(o, "use_unix_socket", p, pg.use_unix_socket);
    r.boolean(o, "use_unix_socket_repl", p, pg.use_unix_socket_repl);
    r.str(o, "pre_promote", p, pg.pre_promote);
    r.str(o, "before_stop", p, pg.before_stop);
    r.str(o, "krbsrvname", p, pg.krbsrvname);
    static const std::string_view known[] = {
        "listen", "connect_address", "proxy_address", "data_dir", "config_dir", "config_base_name",
        "custom_conf", "bin_dir", "bin_name", "database", "pgpass", "authentication", "callbacks",
        "create_replica_methods", "create_replica_method", "basebackup", "rewind", "use_pg_rewind",
        "remove_data_directory_on_rewind_failure", "remove_data_directory_on_diverged_timelines", "parameters",
        "parameters_primary", "parameters_replica", "parameters_standby_leader", "pg_hba", "pg_hba_primary",
        "pg_hba_replica", "pg_hba_standby_leader", "pg_ident", "pg_ident_primary", "pg_ident_replica",
        "pg_ident_standby_leader", "pg_ctl_timeout", "recovery_conf", "use_unix_socket", "use_unix_socket_repl",
        "pre_promote", "before_stop", "krbsrvname", "use_slots"};
    for (const auto& kv : o) {
        if (std::find(std::begin(known), std::end(known), kv.key()) != std::end(known))
            continue;
        bool is_method = std::find(pg.create_replica_methods.begin(), pg.create_replica_methods.end(),
                                   std::string(kv.key())) != pg.create_replica_methods.end();
        if (!is_method)
            pg.extra.items.emplace_back(std::string(kv.key()), to_scalar(kv.value()));
    }
}

inline void read_bootstrap(reader& r, const jo& o, bootstrap_config& b, bool citus)
{
    const std::string p = "bootstrap";
    if (const jo* dcs = r.section(o, "dcs", p)) {
        b.has_dcs = true;
        jo copy = *dcs;
        if (citus && !copy.contains("synchronous_mode"))
            copy["synchronous_mode"] = "quorum";
        b.dcs_json = boost::json::serialize(copy);
    }
    else if (citus)
        b.dcs_json = R"({"synchronous_mode":"quorum"})";
    r.str(o, "method", p, b.method);
    if (b.method.empty())
        b.method = "initdb";
    r.options(o, "initdb", p, b.initdb);
    if (get(o, "post_bootstrap"))
        r.str(o, "post_bootstrap", p, b.post_bootstrap);
    else
        r.str(o, "post_init", p, b.post_bootstrap);
    r.strings(o, "pg_hba", p, b.pg_hba);
    if (const jo* users = r.section(o, "users", p))
        for (const auto& kv : *users) {
            bootstrap_user u;
            u.name = kv.key();
            if (kv.value().is_object()) {
                const std::string up = p + ".users." + u.name;
                r.str(kv.value().get_object(), "password", up, u.password);
                r.strings(kv.value().get_object(), "options", up, u.options);
            }
            b.users.push_back(std::move(u));
        }
    static const std::string_view known[] = {"dcs", "method", "initdb", "post_bootstrap", "post_init", "pg_hba",
                                             "users"};
    for (const auto& kv : o) {
        if (std::find(std::begin(known), std::end(known), kv.key()) != std::end(known) ||
            !kv.value().is_object())
            continue;
        bootstrap_method m;
        m.name = kv.key();
        const std::string mp = sub(p, m.name);
        const jo& s = kv.value().get_object();
        for (const auto& item : s) {
            if (item.key() == "command")
                r.str(s, "command", mp, m.command);
            else if (item.key() == "no_params")
                r.boolean(s, "no_params", mp, m.no_params);
            else if (item.key() == "keep_existing_recovery_conf")
                r.boolean(s, "keep_existing_recovery_conf", mp, m.keep_existing_recovery_conf);
            else if (item.key() == "recovery_conf") {
                m.recovery_conf.emplace();
                r.map(s, "recovery_conf", mp, *m.recovery_conf);
            }
            else
                m.options.items.emplace_back(std::string(item.key()), to_scalar(item.value()));
        }
        b.methods.push_back(std::move(m));
    }
}

inline void read_tls(reader& r, const jo& o, const std::string& p, tls_files& t)
{
    r.str(o, "cacert", p, t.cacert);
    r.str(o, "cert", p, t.cert);
    r.str(o, "key", p, t.key);
}

inline void read_extra(const jo& o, std::initializer_list<std::string_view> known, scalar_map& extra)
{
    for (const auto& kv : o)
        if (std::find(known.begin(), known.end(), kv.key()) == known.end())
            extra.items.emplace_back(std::string(kv.key()), to_scalar(kv.value()));
}

inline void read_etcd(reader& r, const jo& o, const std::string& p, etcd_config& e)
{
    read_tls(r, o, p, e);
    r.str(o, "host", p, e.host);
    r.strings(o, "hosts", p, e.hosts, true);
    r.boolean(o, "use_proxies", p, e.use_proxies);
    r.str(o, "url", p, e.url);
    r.str(o, "proxy", p, e.proxy);
    for (auto alias : {"srv", "discovery_srv", "srv_domain"})
        if (!e.srv)
            r.str(o, alias, p, e.srv);
    r.str(o, "srv_suffix", p, e.srv_suffix);
    r.str(o, "protocol", p, e.protocol);
    r.str(o, "username", p, e.username);
    r.str(o, "password", p, e.password);
    r.str(o, "version_prefix", p, e.version_prefix);
    read_extra(o,
               {"cacert", "cert", "key", "host", "hosts", "use_proxies", "url", "proxy", "srv", "discovery_srv",
                "srv_domain", "srv_suffix", "protocol", "username", "password", "version_prefix"},
               e.extra);
}

inline void read_consul(reader& r, const jo& o, consul_config& c)
{
    const std::string p = "consul";
    read_tls(r, o, p, c);
    r.str(o, "host", p, c.host);
    r.str(o, "url", p, c.url);
    r.integer(o, "port", p, c.port);
    r.str(o, "scheme", p, c.scheme);
    r.str(o, "token", p, c.token);
    r.boolean(o, "verify", p, c.verify);
    r.str(o, "dc", p, c.dc);
    r.str(o, "consistency", p, c.consistency);
    r.strings(o, "checks", p, c.checks, true);
    r.boolean(o, "register_service", p, c.register_service);
    r.strings(o, "service_tags", p, c.service_tags, true);
    r.str(o, "service_check_interval", p, c.service_check_interval);
    r.str(o, "service_check_tls_server_name", p, c.service_check_tls_server_name);
    read_extra(o,
               {"cacert", "cert", "key", "host", "url", "port", "scheme", "token", "verify", "dc", "consistency",
                "checks", "register_service", "service_tags", "service_check_interval",
                "service_check_tls_server_name"},
               c.extra);
}

inline void read_zookeeper(reader& r, const jo& o, zookeeper_config& z)
{
    const std::string p = "zookeeper";
    read_tls(r, o, p, z);
    r.strings(o, "hosts", p, z.hosts, true);
    if (const jv* ssl = get(o, "use_ssl")) {
        // PATRONI_ZOOKEEPER_USE_SSL stays a string; any non-empty string is truthy in Python.
        if (ssl->is_string())
            z.use_ssl = !ssl->get_string().empty();
        else
            r.boolean(o, "use_ssl", p, z.use_ssl);
    }
    r.str(o, "key_password", p, z.key_password);
    r.boolean(o, "verify", p, z.verify);
    if (const jo* acls = r.section(o, "set_acls", p))
        for (const auto& kv : *acls) {
            std::vector<std::string> perms;
            if (kv.value().is_array())
                for (const auto& i : kv.value().get_array())
                    perms.push_back(python_str(i));
            else
                perms.push_back(python_str(kv.value()));
            z.set_acls.emplace_back(std::string(kv.key()), std::move(perms));
        }
    r.map(o, "auth_data", p, z.auth_data);
    read_extra(o, {"cacert", "cert", "key", "hosts", "use_ssl", "key_password", "verify", "set_acls", "auth_data",
                   "exhibitor"},
               z.extra);
}

inline void read_kubernetes(reader& r, const jo& o, kubernetes_config& k)
{
    const std::string p = "kubernetes";
    r.map(o, "labels", p, k.labels);
    r.str(o, "namespace", p, k.namespace_);
    r.str(o, "scope_label", p, k.scope_label);
    r.str(o, "role_label", p, k.role_label);
    r.str(o, "leader_label_value", p, k.leader_label_value);
    r.str(o, "follower_label_value", p, k.follower_label_value);
    r.str(o, "standby_leader_label_value", p, k.standby_leader_label_value);
    r.str(o, "tmp_role_label", p, k.tmp_role_label);
    r.map(o, "bootstrap_labels", p, k.bootstrap_labels);
    r.boolean(o, "use_endpoints", p, k.use_endpoints);
    r.str(o, "pod_ip", p, k.pod_ip);
    if (const jv* ports = get(o, "ports")) {
        if (!ports->is_array())
            r.fail("kubernetes.ports", ports, "is not a list");
        else {
            k.ports.clear();
            std::size_t i = 0;
            for (const auto& item : ports->get_array()) {
                const std::string ip = "kubernetes.ports." + std::to_string(i++);
                if (!item.is_object()) {
                    r.fail(ip, &item, "is not a dictionary");
                    continue;
                }
                kubernetes_port kp;
                r.str(item.get_object(), "name", ip, kp.name);
                r.integer(item.get_object(), "port", ip, kp.port);
                r.str(item.get_object(), "protocol", ip, kp.protocol);
                k.ports.push_back(std::move(kp));
            }
        }
    }
    r.str(o, "cacert", p, k.cacert);
    r.boolean(o, "bypass_api_service", p, k.bypass_api_service);
    if (const jv* codes = get(o, "retriable_http_codes")) {
        auto add = [&](const jv& v, const std::string& path) {
            if (auto i = reader::as_int(v))
                k.retriable_http_codes.push_back(*i);
            else
                r.fail(path, &v, "is not an integer");
        };
        if (codes->is_array()) {
            std::size_t i = 0;
            for (const auto& c : codes->get_array())
                add(c, "kubernetes.retriable_http_codes." + std::to_string(i++));
        }
        else
            add(*codes, "kubernetes.retriable_http_codes");
    }
    r.str(o, "context", p, k.context);
    read_extra(o,
               {"labels", "namespace", "scope_label", "role_label", "leader_label_value", "follower_label_value",
                "standby_leader_label_value", "tmp_role_label", "bootstrap_labels", "use_endpoints", "pod_ip",
                "ports", "cacert", "bypass_api_service", "retriable_http_codes", "context"},
               k.extra);
}

inline void read_raft(reader& r, const jo& o, raft_config& c)
{
    const std::string p = "raft";
    r.str(o, "self_addr", p, c.self_addr);
    r.str(o, "bind_addr", p, c.bind_addr);
    r.str(o, "data_dir", p, c.data_dir);
    r.str(o, "password", p, c.password);
    r.strings(o, "partner_addrs", p, c.partner_addrs, true);
    r.real(o, "min_timeout", p, c.min_timeout);
    r.real(o, "max_timeout", p, c.max_timeout);
    r.real(o, "connection_timeout", p, c.connection_timeout);
    r.real(o, "append_entries_period", p, c.append_entries_period);
    r.real(o, "connection_retry_time", p, c.connection_retry_time);
    r.real(o, "leader_fallback_timeout", p, c.leader_fallback_timeout);
}

inline void read_restapi(reader& r, const jo& o, restapi_config& a)
{
    const std::string p = "restapi";
    r.str(o, "listen", p, a.listen);
    r.str(o, "connect_address", p, a.connect_address);
    if (const jo* auth = r.section(o, "authentication", p)) {
        r.str(*auth, "username", p + ".authentication", a.username);
        r.str(*auth, "password", p + ".authentication", a.password);
    }
    r.str(o, "certfile", p, a.certfile);
    r.str(o, "keyfile", p, a.keyfile);
    r.str(o, "keyfile_password", p, a.keyfile_password);
    r.str(o, "cafile", p, a.cafile);
    r.str(o, "ciphers", p, a.ciphers);
    r.str(o, "verify_client", p, a.verify_client);
    r.strings(o, "allowlist", p, a.allowlist);
    r.boolean(o, "allowlist_include_members", p, a.allowlist_include_members);
    r.map(o, "http_extra_headers", p, a.http_extra_headers);
    r.map(o, "https_extra_headers", p, a.https_extra_headers);
    r.integer(o, "request_queue_size", p, a.request_queue_size);
    r.str(o, "server_tokens", p, a.server_tokens);
    std::transform(a.server_tokens.begin(), a.server_tokens.end(), a.server_tokens.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    r.integer(o, "thread_pool_size", p, a.thread_pool_size);
    a.thread_pool_size = std::max<std::int64_t>(a.thread_pool_size, 5);
}

inline void read_ctl(reader& r, const jo& o, ctl_config& c)
{
    const std::string p = "ctl";
    if (const jo* auth = r.section(o, "authentication", p)) {
        r.str(*auth, "username", p + ".authentication", c.username);
        r.str(*auth, "password", p + ".authentication", c.password);
    }
    r.boolean(o, "insecure", p, c.insecure);
    r.str(o, "cacert", p, c.cacert);
    r.str(o, "certfile", p, c.certfile);
    r.str(o, "keyfile", p, c.keyfile);
    r.str(o, "keyfile_password", p, c.keyfile_password);
}

inline void read_watchdog(reader& r, const jo& o, watchdog_config& w)
{
    const std::string p = "watchdog";
    if (const jv* m = get(o, "mode")) {
        std::string s = m->is_bool() ? (m->get_bool() ? "true" : "false") : python_str(*m);
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (s == "auto" || s == "automatic")
            w.mode = watchdog_mode::automatic;
        else if (s == "require" || s == "required")
            w.mode = watchdog_mode::required;
        else
            w.mode = watchdog_mode::off;   // off/disable/disabled/false, and unknown values (Patroni warns)
    }
    r.str(o, "device", p, w.device);
    r.integer(o, "safety_margin", p, w.safety_margin);
    r.str(o, "driver", p, w.driver);
}

inline void read_tags(reader& r, const jo& o, tags_config& t)
{
    const std::string p = "tags";
    for (const auto& kv : o) {
        std::string_view k = kv.key();
        if (k == "nofailover") {
            r.boolean(o, k, p, t.nofailover);
            t.nofailover_set = !kv.value().is_null();
        }
        else if (k == "failover_priority")
            r.integer(o, k, p, t.failover_priority);
        else if (k == "clonefrom")
            r.boolean(o, k, p, t.clonefrom);
        else if (k == "noloadbalance")
            r.boolean(o, k, p, t.noloadbalance);
        else if (k == "replicatefrom")
            r.str(o, k, p, t.replicatefrom);
        else if (k == "nosync") {
            r.boolean(o, k, p, t.nosync);
            t.nosync_set = !kv.value().is_null();
        }
        else if (k == "sync_priority")
            r.integer(o, k, p, t.sync_priority);
        else if (k == "nostream")
            r.boolean(o, k, p, t.nostream);
        else
            t.custom.items.emplace_back(std::string(k), to_scalar(kv.value()));
    }
}

/// config.md §2.3 step 4: legacy layouts.
inline void convert_legacy(jo& doc)
{
    if (auto* zk = doc.if_contains("zookeeper"); zk && zk->is_object())
        if (auto* ex = zk->as_object().if_contains("exhibitor")) {
            doc["exhibitor"] = *ex;
            doc.erase("zookeeper");
        }
    if (auto* pgv = doc.if_contains("postgresql"); pgv && pgv->is_object()) {
        jo& pg = pgv->as_object();
        if (!pg.contains("authentication")) {
            pg["use_pg_rewind"] = pg.contains("pg_rewind");
            jo auth;
            for (auto u : {"replication", "superuser"})
                if (auto* v = pg.if_contains(u))
                    auth[u] = *v;
            pg["authentication"] = std::move(auth);
        }
        if (auto* auth = pg["authentication"].if_object(); auth && !auth->contains("superuser"))
            if (auto* rw = pg.if_contains("pg_rewind"))
                (*auth)["superuser"] = *rw;
        if (auto* n = pg.if_contains("name"); n && !doc.contains("name"))
            doc["name"] = *n;
    }
}

inline bool read_file(const std::filesystem::path& p, std::string& out, config_error* why)
{
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        if (why) {
            why->code = error::io;
            why->path = p.string();
            why->message = "cannot read the file";
        }
        return false;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

inline result<jo> load_yaml_file(const std::filesystem::path& p, config_error* why)
{
    std::string text;
    if (!read_file(p, text, why))
        return error::io;
    auto v = parse_yaml(text, p.string(), why);
    if (!v)
        return v.error();
    if (v->is_null())
        return jo{};
    if (!v->is_object()) {
        if (why) {
            why->code = error::invalid_file;
            why->path = p.string();
            why->message = "invalid config file " + p.string();
        }
        return error::invalid_file;
    }
    return std::move(v->as_object());
}

} // namespace detail

PGWARDEN_DECL result<boost::json::object> load_document(const std::optional<std::filesystem::path>& path,
                                                        const environment& env, config_error* why)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (path && fs::exists(*path, ec)) {
        boost::json::object doc;
        if (fs::is_regular_file(*path, ec)) {
            auto r = detail::load_yaml_file(*path, why);
            if (!r)
                return r.error();
            doc = std::move(*r);
        }
        else if (fs::is_directory(*path, ec)) {
            std::vector<fs::path> files;
            for (const auto& e : fs::directory_iterator(*path, ec)) {
                auto ext = e.path().extension().string();
                if ((ext == ".yml" || ext == ".yaml") && e.is_regular_file(ec))
                    files.push_back(e.path());
            }
            std::sort(files.begin(), files.end(),
                      [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
            for (const auto& f : files) {
                auto r = detail::load_yaml_file(f, why);
                if (!r)
                    return r.error();
                patch_config(doc, *r);
            }
        }
        else {
            if (why) {
                why->code = error::invalid_path;
                why->path = path->string();
                why->message = "invalid config path";
            }
            return error::invalid_path;
        }
        patch_config(doc, env_overlay(env));
        return doc;
    }
    if (auto it = env.find("PATRONI_CONFIGURATION"); it != env.end() && !it->second.empty()) {
        auto v = parse_yaml(it->second, "PATRONI_CONFIGURATION", why);
        if (!v)
            return v.error();
        if (v->is_null())
            return boost::json::object{};
        if (!v->is_object()) {
            if (why) {
                why->code = error::invalid_file;
                why->path = "PATRONI_CONFIGURATION";
                why->message = "invalid config file PATRONI_CONFIGURATION";
            }
            return error::invalid_file;
        }
        return std::move(v->as_object());
    }
    return env_overlay(env);
}

PGWARDEN_DECL result<local_config> build_local_config(const boost::json::object& input, config_error* why)
{
    using namespace detail;
    jo doc = input;
    convert_legacy(doc);
    reader r(why);
    local_config c;
    r.str(doc, "name", "", c.name);
    r.str(doc, "scope", "", c.scope);
    r.str(doc, "namespace", "", c.namespace_);
    // thread sizes: parse errors fall back to the default, as in Patroni (a warning there).
    if (const jv* v = get(doc, "thread_pool_size"))
        if (auto i = reader::as_int(*v))
            c.thread_pool_size = std::max<std::int64_t>(5, *i);
    if (const jv* v = get(doc, "thread_stack_size"))
        if (auto i = reader::as_int(*v, "B"))
            c.thread_stack_size = std::max<std::int64_t>(65536, *i);
    if (const jo* s = r.section(doc, "log", ""))
        read_log(r, *s, c.log);
    if (const jo* s = r.section(doc, "citus", "")) {
        // Kept only with an int group and a str database (config.md §2.3 step 3).
        const jv* g = get(*s, "group");
        const jv* d = get(*s, "database");
        if (g && d && g->is_int64() && d->is_string())
            c.citus = citus_config{g->get_int64(), std::string(d->get_string())};
    }
    if (const jo* s = r.section(doc, "bootstrap", "")) {
        c.bootstrap.emplace();
        read_bootstrap(r, *s, *c.bootstrap, c.citus.has_value());
    }
    if (const jo* s = r.section(doc, "consul", "")) {
        c.consul.emplace();
        read_consul(r, *s, *c.consul);
    }
    if (const jo* s = r.section(doc, "etcd", "")) {
        c.etcd.emplace();
        read_etcd(r, *s, "etcd", *c.etcd);
    }
    if (const jo* s = r.section(doc, "etcd3", "")) {
        c.etcd3.emplace();
        read_etcd(r, *s, "etcd3", *c.etcd3);
    }
    if (const jo* s = r.section(doc, "exhibitor", "")) {
        c.exhibitor.emplace();
        r.strings(*s, "hosts", "exhibitor", c.exhibitor->hosts, true);
        r.integer(*s, "port", "exhibitor", c.exhibitor->port);
        r.integer(*s, "poll_interval", "exhibitor", c.exhibitor->poll_interval);
    }
    if (const jo* s = r.section(doc, "kubernetes", "")) {
        c.kubernetes.emplace();
        read_kubernetes(r, *s, *c.kubernetes);
    }
    if (const jo* s = r.section(doc, "raft", "")) {
        c.raft.emplace();
        read_raft(r, *s, *c.raft);
    }
    if (const jo* s = r.section(doc, "zookeeper", "")) {
        c.zookeeper.emplace();
        read_zookeeper(r, *s, *c.zookeeper);
    }
    c.dcs = c.consul      ? dcs_kind::consul
            : c.etcd      ? dcs_kind::etcd
            : c.etcd3     ? dcs_kind::etcd3
            : c.exhibitor ? dcs_kind::exhibitor
            : c.kubernetes ? dcs_kind::kubernetes
            : c.raft      ? dcs_kind::raft
            : c.zookeeper ? dcs_kind::zookeeper
                          : dcs_kind::none;
    if (const jo* s = r.section(doc, "postgresql", ""))
        read_postgresql(r, *s, c.postgresql);
    if (const jo* s = r.section(doc, "restapi", ""))
        read_restapi(r, *s, c.restapi);
    if (const jo* s = r.section(doc, "ctl", ""))
        read_ctl(r, *s, c.ctl);
    if (const jv* w = doc.if_contains("watchdog"); w && !w->is_null()) {
        if (w->is_object())
            read_watchdog(r, w->get_object(), c.watchdog);
        else if (w->is_bool() && !w->get_bool())
            c.watchdog.mode = watchdog_mode::off;
        else
            r.fail("watchdog", w, "is not a dictionary");
    }
    if (const jo* s = r.section(doc, "tags", ""))
        read_tags(r, *s, c.tags);
    static const std::string_view known[] = {
        "name", "scope", "namespace", "thread_pool_size", "thread_stack_size", "log", "citus", "bootstrap",
        "consul", "etcd", "etcd3", "exhibitor", "kubernetes", "raft", "zookeeper", "postgresql", "restapi",
        "ctl", "watchdog", "tags"};
    for (const auto& kv : doc)
        if (std::find(std::begin(known), std::end(known), kv.key()) == std::end(known))
            c.extra.emplace_back(std::string(kv.key()), boost::json::serialize(kv.value()));
    if (r.failed())
        return error::bad_value;
    return c;
}

PGWARDEN_DECL result<local_config> load_config(const std::optional<std::filesystem::path>& path,
                                               const environment& env, config_error* why)
{
    auto doc = load_document(path, env, why);
    if (!doc)
        return doc.error();
    if (doc->empty()) {
        if (why) {
            why->code = error::empty;
            why->path.clear();
            why->message = "Config is empty.";
        }
        return error::empty;
    }
    auto c = build_local_config(*doc, why);
    if (!c)
        return c.error();
    if (c->name == reserved_member_name) {
        if (why) {
            why->code = error::reserved_name;
            why->path = "name";
            why->message = std::string(reserved_member_name) + " is a reserved name";
        }
        return error::reserved_name;
    }
    return c;
}

} // namespace pgwarden::config
