#pragma once
#include <pgwarden/config/document.hpp>
#include <pgwarden/config/sample.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace pgwarden::config {

PGWARDEN_DECL sample_inputs detect_sample_inputs(const std::string& postgres)
{
    sample_inputs in;
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0)
        in.hostname = host;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (!in.hostname.empty() && ::getaddrinfo(in.hostname.c_str(), nullptr, &hints, &res) == 0) {
        std::string v4, v6;
        for (addrinfo* ai = res; ai; ai = ai->ai_next) {
            char buf[INET6_ADDRSTRLEN] = {};
            if (ai->ai_family == AF_INET && v4.empty()) {
                ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr, buf, sizeof buf);
                v4 = buf;
            }
            else if (ai->ai_family == AF_INET6 && v6.empty()) {
                ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, buf, sizeof buf);
                v6 = buf;
            }
        }
        ::freeaddrinfo(res);
        if (!v4.empty())
            in.ip = v4;
        else if (!v6.empty())
            in.ip = v6;
    }
    std::string cmd = "'";
    for (char c : postgres)
        cmd += c == '\'' ? std::string("'\\''") : std::string(1, c);
    cmd += "' --version 2>/dev/null";
    std::string out;
    if (FILE* f = ::popen(cmd.c_str(), "r")) {
        char buf[512];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
            out.append(buf, n);
        ::pclose(f);
    }
    // "postgres (PostgreSQL) 15.4 ..." -> 150000; "9.6.24" -> 90600.
    if (auto pos = out.find(") "); pos != std::string::npos) {
        int major = 0, minor = 0;
        std::size_t i = pos + 2;
        for (; i < out.size() && std::isdigit(static_cast<unsigned char>(out[i])); ++i)
            major = major * 10 + (out[i] - '0');
        if (major > 0 && major < 10 && i + 1 < out.size() && out[i] == '.')
            for (++i; i < out.size() && std::isdigit(static_cast<unsigned char>(out[i])); ++i)
                minor = minor * 10 + (out[i] - '0');
        if (major > 0)
            in.pg_version = major * 10000 + (major < 10 ? minor * 100 : 0);
    }
    return in;
}

PGWARDEN_DECL boost::json::object sample_config(const sample_inputs& in, const environment& env)
{
    using boost::json::array;
    using boost::json::object;
    const std::string fixme = "#FIXME";
    object cfg;
    cfg["scope"] = fixme;
    cfg["name"] = in.hostname;
    cfg["restapi"] = object{{"connect_address", in.ip + ":8008"}, {"listen", in.ip + ":8008"}};
    cfg["log"] = object{{"type", "plain"},
                        {"level", "INFO"},
                        {"traceback_level", "ERROR"},
                        {"format", "%(asctime)s %(levelname)s: %(message)s"},
                        {"max_queue_size", 1000}};
    object params{{"hot_standby", "on"},
                  {"max_connections", 100},
                  {"max_locks_per_transaction", 64},
                  {"max_prepared_transactions", 0},
                  {"max_replication_slots", 10},
                  {"max_wal_senders", 10},
                  {"max_worker_processes", 8},
                  {"track_commit_timestamp", "off"},
                  {"wal_level", "hot_standby"},
                  {"wal_log_hints", "on"}};
    object dcs_pg{{"use_slots", true}};
    object auth{{"superuser", object{{"username", "postgres"}, {"password", fixme}}},
                {"replication", object{{"username", "replicator"}, {"password", fixme}}}};
    object pg{{"data_dir", fixme},
              {"connect_address", in.ip + ":5432"},
              {"listen", in.ip + ":5432"},
              {"bin_dir", ""}};
    if (in.pg_version) {
        const int v = *in.pg_version;
        const std::string method = v >= 100000 ? "scram-sha-256" : "md5";
        pg["parameters"] = object{{"password_encryption", method}};
        pg["pg_hba"] = array{"host all all all " + method, "host replication replicator all " + method};
        if (v >= 130000)
            params["wal_keep_size"] = "128MB";
        else
            params["wal_keep_segments"] = 8;
        params["wal_level"] = v >= 90600 ? "replica" : "hot_standby";
        dcs_pg["use_pg_rewind"] = true;
        if (v >= 110000)
            auth["rewind"] = object{{"username", "rewind_user"}, {"password", fixme}};
    }
    dcs_pg["parameters"] = std::move(params);
    pg["authentication"] = std::move(auth);
    cfg["postgresql"] = std::move(pg);
    cfg["bootstrap"] = object{{"dcs", object{{"ttl", 30}, {"loop_wait", 10}, {"retry_timeout", 10},
                                             {"postgresql", std::move(dcs_pg)}}}};
    cfg["tags"] = object{{"failover_priority", 1}, {"sync_priority", 1}, {"noloadbalance", false},
                         {"clonefrom", true}, {"nosync", false}, {"nostream", false}};
    patch_config(cfg, env_overlay(env));
    return cfg;
}

PGWARDEN_DECL std::string sample_config_yaml(const boost::json::object& cfg)
{
    static const std::string_view order[] = {"scope", "namespace", "name", "log", "restapi", "ctl", "citus",
                                             "consul", "etcd", "etcd3", "exhibitor", "kubernetes", "raft",
                                             "zookeeper", "bootstrap", "postgresql", "watchdog", "tags"};
    std::string out;
    auto indent = [](const std::string& text, int n) {
        std::string pad(static_cast<std::size_t>(n), ' ');
        std::string r;
        std::size_t start = 0;
        while (start < text.size()) {
            auto nl = text.find('\n', start);
            r += pad + text.substr(start, nl - start) + "\n";
            start = nl == std::string::npos ? text.size() : nl + 1;
        }
        return r;
    };
    auto section = [&](std::string_view key, const boost::json::value& v) {
        boost::json::object one;
        one[key] = v;
        if (v.is_object() && !v.get_object().empty())
            out += "\n";
        out += to_yaml(one);
    };
    std::vector<std::string_view> done;
    for (auto key : order) {
        const auto* v = cfg.if_contains(key);
        if (!v)
            continue;
        done.push_back(key);
        if (key != "bootstrap" || !v->is_object()) {
            section(key, *v);
            continue;
        }
        out += "\n# The bootstrap configuration. Works only when the cluster is not yet initialized.\n"
               "# If the cluster is already initialized, all changes in the `bootstrap` section are ignored!\n"
               "bootstrap:\n";
        boost::json::object rest = v->get_object();
        if (const auto* dcs = rest.if_contains("dcs"); dcs && dcs->is_object()) {
            out += "  # This section will be written into <dcs>:/<namespace>/<scope>/config after initializing\n"
                   "  # new cluster and all other cluster members will use it as a `global configuration`.\n"
                   "  # WARNING! If you want to change any of the parameters that were set up\n"
                   "  # via `bootstrap.dcs` section, please use `patronictl edit-config`!\n"
                   "  dcs:\n";
            boost::json::object d = dcs->get_object();
            for (auto k : {"loop_wait", "retry_timeout", "ttl"})
                if (const auto* x = d.if_contains(k)) {
                    boost::json::object one;
                    one[k] = *x;
                    out += indent(to_yaml(one), 4);
                    d.erase(k);
                }
            if (!d.empty())
                out += indent(to_yaml(d), 4);
            rest.erase("dcs");
        }
        if (!rest.empty())
            out += indent(to_yaml(rest), 2);
    }
    // Anything else the environment added (not in Patroni's list) goes last, sorted.
    boost::json::object others;
    for (const auto& kv : cfg)
        if (std::find(done.begin(), done.end(), kv.key()) == done.end())
            others[kv.key()] = kv.value();
    if (!others.empty()) {
        std::vector<std::string> keys;
        for (const auto& kv : others)
            keys.emplace_back(kv.key());
        std::sort(keys.begin(), keys.end());
        for (const auto& k : keys)
            section(k, others.at(k));
    }
    return out;
}

} // namespace pgwarden::config
