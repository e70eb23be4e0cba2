#pragma once
#include <pgwarden/config/document.hpp>
#include <pgwarden/config/env.hpp>
#include <pgwarden/config/values.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <regex>
#include <set>
#include <string_view>

namespace pgwarden::config {
namespace detail {

class env_reader {
public:
    env_reader(const environment& env, std::vector<std::string>* consumed) : env_(env), consumed_(consumed) {}

    /// The value of PATRONI_<suffix>, marked as read; nullopt when unset or empty.
    std::optional<std::string> pop(std::string_view suffix)
    {
        return pop_full("PATRONI_" + std::string(suffix));
    }
    std::optional<std::string> pop_full(const std::string& name)
    {
        auto it = env_.find(name);
        if (it == env_.end())
            return std::nullopt;
        if (used_.insert(name).second && consumed_)
            consumed_->push_back(name);
        if (it->second.empty())
            return std::nullopt;
        return it->second;
    }
    bool has(std::string_view suffix) const { return env_.find("PATRONI_" + std::string(suffix)) != env_.end(); }
    bool used(const std::string& name) const { return used_.count(name) > 0; }
    const environment& env() const { return env_; }

private:
    const environment& env_;
    std::vector<std::string>* consumed_;
    std::set<std::string, std::less<>> used_;
};

inline std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// Patroni's _parse_list: YAML, wrapped in [...] unless it starts with '-' or contains '['.
inline std::optional<boost::json::value> env_list(const std::string& value)
{
    std::string text = value;
    std::string_view t(value);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front())))
        t.remove_prefix(1);
    if (!(t.starts_with("-") || value.find('[') != std::string::npos))
        text = "[" + value + "]";
    auto v = parse_yaml(text, "environment");
    if (!v)
        return std::nullopt;
    return std::move(*v);
}

/// Patroni's _parse_dict: YAML, wrapped in {...} unless it starts with '{'.
inline std::optional<boost::json::value> env_dict(const std::string& value)
{
    std::string_view t(value);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front())))
        t.remove_prefix(1);
    std::string text = t.starts_with("{") ? value : "{" + value + "}";
    auto v = parse_yaml(text, "environment");
    if (!v)
        return std::nullopt;
    return std::move(*v);
}

inline boost::json::object& section(boost::json::object& root, std::string_view name)
{
    auto& v = root[name];
    if (!v.is_object())
        v = boost::json::object{};
    return v.as_object();
}

inline void set_strings(env_reader& r, boost::json::object& root, std::string_view sec,
                        std::initializer_list<std::string_view> params)
{
    for (auto p : params) {
        std::string var = std::string(sec) + "_" + std::string(p);
        for (char& c : var)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (auto v = r.pop(var))
            section(root, sec)[lower(p)] = *v;
    }
}

inline boost::json::object env_auth(env_reader& r, std::string_view prefix, bool all_params)
{
    static constexpr std::array<std::string_view, 12> params = {
        "USERNAME", "PASSWORD", "SSLMODE", "SSLCERT", "SSLKEY", "SSLPASSWORD", "SSLROOTCERT", "SSLCRL",
        "SSLCRLDIR", "GSSENCMODE", "CHANNEL_BINDING", "SSLNEGOTIATION"};
    boost::json::object out;
    std::size_t n = all_params ? params.size() : 2;
    for (std::size_t i = 0; i < n; ++i)
        if (auto v = r.pop(std::string(prefix) + "_" + std::string(params[i])))
            out[lower(params[i])] = *v;
    return out;
}

} // namespace detail

PGWARDEN_DECL environment environment_from(const char* const* envp)
{
    environment env;
    for (; envp && *envp; ++envp) {
        std::string_view kv(*envp);
        auto eq = kv.find('=');
        if (eq == std::string_view::npos)
            continue;
        env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    }
    return env;
}

PGWARDEN_DECL boost::json::object env_overlay(const environment& env, std::vector<std::string>* consumed)
{
    using namespace detail;
    env_reader r(env, consumed);
    boost::json::object ret;

    for (auto p : {"NAME", "NAMESPACE", "SCOPE", "THREAD_POOL_SIZE", "THREAD_STACK_SIZE"})
        if (auto v = r.pop(p))
            ret[lower(p)] = *v;

    // Legacy log names, only when the new name is not set.
    std::optional<std::string> legacy_level = r.pop("LOGLEVEL");
    std::optional<std::string> legacy_format = r.pop("LOGFORMAT");
    std::optional<std::string> legacy_datefmt = r.pop("LOG_DATEFMT");

    set_strings(r, ret, "log", {"type", "level", "traceback_level", "dateformat", "dir"});
    if (!section(ret, "log").contains("level") && legacy_level)
        section(ret, "log")["level"] = *legacy_level;
    if (!section(ret, "log").contains("dateformat") && legacy_datefmt)
        section(ret, "log")["dateformat"] = *legacy_datefmt;
    std::optional<std::string> format = r.pop("LOG_FORMAT");
    if (!format)
        format = legacy_format;
    if (format) {
        static const std::regex placeholder("%\\([^)]*\\)");
        boost::json::value v = boost::json::string(*format);
        if (!std::regex_search(*format, placeholder))
            if (auto l = env_list(*format))
                v = std::move(*l);
        section(ret, "log")["format"] = std::move(v);
    }
    for (auto p : {"MAX_QUEUE_SIZE", "MODE", "FILE_SIZE", "FILE_NUM"})
        if (auto v = r.pop(std::string("LOG_") + p))
            if (auto i = parse_int(*v))
                section(ret, "log")[lower(p)] = *i;
    for (auto p : {"STATIC_FIELDS", "LOGGERS"})
        if (auto v = r.pop(std::string("LOG_") + p))
            if (auto d = env_dict(*v))
                section(ret, "log")[lower(p)] = std::move(*d);
    if (auto v = r.pop("LOG_DEDUPLICATE_HEARTBEAT_LOGS"))
        if (auto b = parse_bool(*v))
            section(ret, "log")["deduplicate_heartbeat_logs"] = *b;

    set_strings(r, ret, "restapi",
                {"listen", "connect_address", "certfile", "keyfile", "keyfile_password", "cafile", "ciphers",
                 "verify_client", "server_tokens"});
    for (auto p : {"HTTP_EXTRA_HEADERS", "HTTPS_EXTRA_HEADERS"})
        if (auto v = r.pop(std::string("RESTAPI_") + p))
            if (auto d = env_dict(*v))
                section(ret, "restapi")[lower(p)] = std::move(*d);
    if (auto v = r.pop("RESTAPI_ALLOWLIST"))
        if (auto l = env_list(*v))
            section(ret, "restapi")["allowlist"] = std::move(*l);
    if (auto v = r.pop("RESTAPI_ALLOWLIST_INCLUDE_MEMBERS"))
        if (auto b = parse_bool(*v))
            section(ret, "restapi")["allowlist_include_members"] = *b;
    if (auto v = r.pop("RESTAPI_REQUEST_QUEUE_SIZE"))
        if (auto i = parse_int(*v))
            section(ret, "restapi")["request_queue_size"] = *i;
    if (auto auth = env_auth(r, "RESTAPI", false); !auth.empty())
        section(ret, "restapi")["authentication"] = std::move(auth);

    set_strings(r, ret, "ctl", {"cacert", "certfile", "keyfile", "keyfile_password"});
    if (auto v = r.pop("CTL_INSECURE"))
        if (auto b = parse_bool(*v))
            section(ret, "ctl")["insecure"] = *b;
    if (auto auth = env_auth(r, "CTL", false); auth.contains("username") && auth.contains("password"))
        section(ret, "ctl")["authentication"] = std::move(auth);

    set_strings(r, ret, "postgresql",
                {"listen", "connect_address", "proxy_address", "config_dir", "data_dir", "pgpass", "bin_dir"});
    for (auto tool : {"pg_ctl", "initdb", "pg_controldata", "pg_basebackup", "postgres", "pg_isready", "pg_rewind"}) {
        std::string var = "POSTGRESQL_BIN_" + std::string(tool);
        for (char& c : var)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (auto v = r.pop(var)) {
            auto& pg = section(ret, "postgresql");
            section(pg, "bin_name")[tool] = *v;
        }
    }
    for (auto user : {"REPLICATION", "SUPERUSER", "REWIND"})
        if (auto auth = env_auth(r, user, true); !auth.empty()) {
            auto& pg = section(ret, "postgresql");
            section(pg, "authentication")[lower(user)] = std::move(auth);
        }

    set_strings(r, ret, "raft", {"data_dir", "self_addr", "password", "bind_addr"});
    if (auto v = r.pop("RAFT_PARTNER_ADDRS"))
        if (auto l = env_list(*v))
            section(ret, "raft")["partner_addrs"] = std::move(*l);
    for (auto p : {"MIN_TIMEOUT", "MAX_TIMEOUT", "CONNECTION_TIMEOUT", "APPEND_ENTRIES_PERIOD",
                   "CONNECTION_RETRY_TIME", "LEADER_FALLBACK_TIMEOUT"})
        if (auto v = r.pop(std::string("RAFT_") + p))
            if (auto d = parse_real(*v))
                section(ret, "raft")[lower(p)] = *d;

    // Generic PATRONI_<SECTION>_<SUFFIX> (config.md §3.6).
    static const std::set<std::string_view> str_suffixes = {
        "HOST", "PROTOCOL", "SRV", "SRV_SUFFIX", "URL", "PROXY", "CACERT", "CERT", "KEY", "TOKEN", "DC",
        "CONSISTENCY", "SERVICE_CHECK_INTERVAL", "SERVICE_CHECK_TLS_SERVER_NAME", "NAMESPACE", "CONTEXT",
        "SCOPE_LABEL", "ROLE_LABEL", "POD_IP", "KEY_PASSWORD", "USE_SSL", "LEADER_LABEL_VALUE",
        "FOLLOWER_LABEL_VALUE", "STANDBY_LEADER_LABEL_VALUE", "TMP_ROLE_LABEL", "DATABASE", "GROUP"};
    static const std::set<std::string_view> list_suffixes = {"HOSTS", "PORTS", "CHECKS", "SERVICE_TAGS",
                                                             "RETRIABLE_HTTP_CODES"};
    static const std::set<std::string_view> dict_suffixes = {"LABELS", "SET_ACLS", "AUTH_DATA",
                                                             "BOOTSTRAP_LABELS"};
    static const std::set<std::string_view> bool_suffixes = {"USE_PROXIES", "REGISTER_SERVICE", "USE_ENDPOINTS",
                                                             "BYPASS_API_SERVICE", "VERIFY"};
    for (const auto& [var, raw] : env) {
        if (!var.starts_with("PATRONI_") || r.used(var) || var == "PATRONI_CONFIGURATION")
            continue;
        std::string_view rest = std::string_view(var).substr(8);
        auto us = rest.find('_');
        if (us == std::string_view::npos || us == 0)
            continue;
        std::string_view name = rest.substr(0, us);
        std::string_view suffix = rest.substr(us + 1);
        bool known = str_suffixes.count(suffix) || list_suffixes.count(suffix) || dict_suffixes.count(suffix) ||
                     bool_suffixes.count(suffix) || suffix == "PORT";
        if (!known)
            continue;
        if (name == "CITUS" && suffix != "GROUP" && suffix != "DATABASE")
            continue;
        auto value = r.pop_full(var);
        if (!value)
            continue;
        boost::json::value v = boost::json::string(*value);
        if (name == "CITUS" && suffix == "GROUP") {
            auto i = parse_int(*value);
            if (!i)
                continue;
            v = *i;
        }
        else if (suffix == "PORT") {
            auto i = parse_int(*value);
            if (!i)
                continue;
            v = *i;
        }
        else if (list_suffixes.count(suffix)) {
            auto l = env_list(*value);
            if (!l)
                continue;
            v = std::move(*l);
        }
        else if (dict_suffixes.count(suffix)) {
            auto d = env_dict(*value);
            if (!d)
                continue;
            v = std::move(*d);
        }
        else if (bool_suffixes.count(suffix)) {
            auto b = parse_bool(*value);
            if (!b)
                continue;
            v = *b;
        }
        section(ret, lower(name))[lower(suffix)] = std::move(v);
    }

    // etcd credentials join a section only if some other variable created it.
    for (auto dcs : {"etcd", "etcd3"})
        if (ret.contains(dcs)) {
            std::string up = dcs == std::string_view("etcd") ? "ETCD" : "ETCD3";
            auto auth = env_auth(r, up, false);
            for (auto& kv : auth)
                section(ret, dcs)[kv.key()] = kv.value();
        }

    // Sections that stayed empty (e.g. only unparsable values) are dropped.
    std::vector<std::string> empty;
    for (auto& kv : ret)
        if (kv.value().is_object() && kv.value().get_object().empty())
            empty.emplace_back(kv.key());
    for (auto& k : empty)
        ret.erase(k);
    return ret;
}

PGWARDEN_DECL environment postmaster_environment(const environment& env)
{
    environment out;
    for (const auto& [k, v] : env) {
        if (k == "NOTIFY_SOCKET" || k.starts_with("PATRONI_") || k.starts_with("KUBERNETES_") ||
            k == "PG_MALLOC_ARENA_MAX")
            continue;
        out.emplace(k, v);
    }
    if (auto it = env.find("PG_MALLOC_ARENA_MAX"); it != env.end())
        out["MALLOC_ARENA_MAX"] = it->second;
    return out;
}

} // namespace pgwarden::config
