// Configuration mapping for the daemons (see mapping.hpp).
#include "mapping.hpp"

#include <pgwarden/config/dynamic.hpp>

#include <boost/json.hpp>

#include <unistd.h>

namespace pgwarden::apps {
namespace {

/// host:port of a listen/connect_address value; `*`, 0.0.0.0 and friends
/// become localhost (dcs.md 2.2 conn_url rule).
std::string public_host_port(const std::string& connect_address, const std::string& listen)
{
    if (!connect_address.empty()) return connect_address;
    const auto colon = listen.rfind(':');
    const std::string hosts = colon == std::string::npos ? listen : listen.substr(0, colon);
    const std::string port = colon == std::string::npos ? "5432" : listen.substr(colon + 1);
    std::string first = hosts.substr(0, hosts.find(','));
    for (const char* local : {"*", "localhost", "0.0.0.0", "127.0.0.1"})
        if (hosts.find(local) != std::string::npos) return "localhost:" + port;
    return first + ":" + port;
}

std::string text(const config::scalar& s) { return s.text; }

/// A scalar as compact JSON text (strings quoted and escaped), for tag values.
std::string json_text(const config::scalar& s)
{
    using K = config::scalar::kind;
    if (s.type == K::string) return boost::json::serialize(boost::json::string(s.text));
    return s.type == K::null ? std::string("null") : s.text;
}

pg::auth_user to_user(const config::pg_user& u, const char* default_name)
{
    pg::auth_user out;
    out.username = u.username.value_or(default_name);
    out.password = u.password;
    auto put = [&](const char* k, const std::optional<std::string>& v) {
        if (v) out.ssl[k] = *v;
    };
    put("sslmode", u.sslmode);
    put("sslcert", u.sslcert);
    put("sslkey", u.sslkey);
    put("sslpassword", u.sslpassword);
    put("sslrootcert", u.sslrootcert);
    put("sslcrl", u.sslcrl);
    put("sslcrldir", u.sslcrldir);
    put("gssencmode", u.gssencmode);
    put("channel_binding", u.channel_binding);
    return out;
}

std::vector<pg::cli_option> to_options(const std::vector<config::tool_option>& in)
{
    std::vector<pg::cli_option> out;
    for (const auto& o : in) out.push_back({o.name, o.value});
    return out;
}

} // namespace

std::string conn_url(const config::local_config& c)
{
    return "postgres://" + public_host_port(c.postgresql.connect_address, c.postgresql.listen) + "/" +
           c.postgresql.database;
}

std::string api_url(const config::local_config& c)
{
    const std::string scheme = c.restapi.certfile ? "https" : "http";
    const std::string& addr = c.restapi.connect_address.empty() ? c.restapi.listen : c.restapi.connect_address;
    return scheme + "://" + addr + "/patroni";
}

ha::ha_config to_ha_config(const config::effective_config& c)
{
    const auto& d = c.dynamic;
    const auto& l = c.local;
    ha::ha_config h;
    h.name = l.name;
    h.scope = l.scope;
    h.conn_url = conn_url(l);
    h.api_url = api_url(l);
    h.patroni_version = PGWARDEN_PATRONI_VERSION;
    h.ttl = seconds(d.ttl);
    h.loop_wait = seconds(d.loop_wait);
    h.retry_timeout = seconds(d.retry_timeout);
    h.maximum_lag_on_failover = static_cast<std::uint64_t>(std::max<std::int64_t>(0, d.maximum_lag_on_failover));
    h.check_timeline = d.check_timeline;
    h.max_timelines_history = d.max_timelines_history;
    h.synchronous_mode = d.sync_mode == config::synchronous_mode::quorum ? ha::sync_mode::quorum
                         : d.sync_mode == config::synchronous_mode::on   ? ha::sync_mode::on
                                                                         : ha::sync_mode::off;
    h.synchronous_mode_strict = d.synchronous_mode_strict;
    h.synchronous_node_count = static_cast<int>(d.synchronous_node_count);
    h.maximum_lag_on_syncnode = d.maximum_lag_on_syncnode;
    h.primary_start_timeout = seconds(d.primary_start_timeout);
    h.primary_stop_timeout = seconds(d.primary_stop_timeout);
    h.primary_race_backoff = seconds(d.primary_race_backoff);
    h.failsafe_mode = d.failsafe_mode;
    h.pause = d.pause;
    h.use_pg_rewind = c.use_pg_rewind();
    h.remove_data_directory_on_rewind_failure = l.postgresql.remove_data_directory_on_rewind_failure;
    h.remove_data_directory_on_diverged_timelines = l.postgresql.remove_data_directory_on_diverged_timelines;
    h.use_slots = c.use_slots();
    for (const auto& s : d.slots) {
        ha::permanent_slot p;
        p.name = s.name;
        p.logical = s.type == "logical";
        if (!s.database.empty()) p.database = s.database;
        if (!s.plugin.empty()) p.plugin = s.plugin;
        if (!s.cluster_type.empty()) p.cluster_type = s.cluster_type;
        h.slots.push_back(std::move(p));
    }
    for (const auto& s : d.ignore_slots) {
        ha::ignore_slot_rule r;
        if (!s.name.empty()) r.name = s.name;
        if (!s.type.empty()) r.type = s.type;
        if (!s.database.empty()) r.database = s.database;
        if (!s.plugin.empty()) r.plugin = s.plugin;
        h.ignore_slots.push_back(std::move(r));
    }
    h.member_slots_ttl = seconds(d.member_slots_ttl_s);
    if (d.standby_cluster) {
        ha::standby_cluster_config s;
        s.host = d.standby_cluster->host;
        s.port = d.standby_cluster->port;
        if (!d.standby_cluster->primary_slot_name.empty()) s.primary_slot_name = d.standby_cluster->primary_slot_name;
        if (!d.standby_cluster->restore_command.empty()) s.restore_command = d.standby_cluster->restore_command;
        if (!d.standby_cluster->archive_cleanup_command.empty())
            s.archive_cleanup_command = d.standby_cluster->archive_cleanup_command;
        if (!d.standby_cluster->recovery_min_apply_delay.empty())
            s.recovery_min_apply_delay = d.standby_cluster->recovery_min_apply_delay;
        s.create_replica_methods = d.standby_cluster->create_replica_methods;
        h.standby_cluster = std::move(s);
    }
    const auto& t = l.tags;
    if (t.nofailover_set) h.tags.nofailover = t.nofailover;
    h.tags.failover_priority = t.failover_priority;
    if (t.nosync_set) h.tags.nosync = t.nosync;
    h.tags.sync_priority = t.sync_priority;
    h.tags.clonefrom = t.clonefrom;
    h.tags.replicatefrom = t.replicatefrom;
    h.tags.nostream = t.nostream;
    h.tags.noloadbalance = t.noloadbalance;
    for (const auto& [k, v] : t.custom.items) h.tags.custom.emplace_back(k, json_text(v));
    h.watchdog = l.watchdog.mode == config::watchdog_mode::off        ? ha::watchdog_mode::off
                 : l.watchdog.mode == config::watchdog_mode::required ? ha::watchdog_mode::required
                                                                      : ha::watchdog_mode::automatic;
    h.create_replica_methods = l.postgresql.create_replica_methods;
    for (const auto& m : l.postgresql.replica_methods)
        if (m.no_leader && m.name != "basebackup") h.no_leader_methods.push_back(m.name);
    h.has_bootstrap_section = l.bootstrap.has_value();
    if (l.bootstrap) h.bootstrap_method = l.bootstrap->method;
    h.has_pre_promote = l.postgresql.pre_promote.has_value();
    h.dynamic_config_json = config::encode_dynamic(d);
    return h;
}

pg::controller_config to_controller_config(const config::effective_config& c)
{
    const auto& l = c.local;
    const auto& p = l.postgresql;
    pg::controller_config o;
    o.scope = l.scope;
    o.name = l.name;
    o.data_dir = p.data_dir;
    o.config_dir = p.config_dir.value_or("");
    o.config_base_name = p.config_base_name;
    o.custom_conf = p.custom_conf;
    o.bin_dir = p.bin_dir;
    for (const auto& [k, v] : p.bin_name) o.bin_name[k] = v;
    o.listen = p.listen;
    o.connect_address = public_host_port(p.connect_address, p.listen);
    o.database = p.database;
    o.pgpass = p.pgpass;
    o.superuser = to_user(p.authentication.superuser, "postgres");
    o.replication = to_user(p.authentication.replication, "replicator");
    if (p.authentication.rewind) o.rewind = to_user(*p.authentication.rewind, "postgres");
    for (const auto& [k, v] : p.parameters.items) o.parameters[k] = text(v);
    if (p.pg_hba) o.pg_hba = *p.pg_hba;
    if (p.pg_ident) o.pg_ident = *p.pg_ident;
    if (p.recovery_conf)
        for (const auto& [k, v] : p.recovery_conf->items) o.recovery_conf[k] = text(v);
    o.callbacks.on_start = p.callbacks.on_start;
    o.callbacks.on_stop = p.callbacks.on_stop;
    o.callbacks.on_restart = p.callbacks.on_restart;
    o.callbacks.on_reload = p.callbacks.on_reload;
    o.callbacks.on_role_change = p.callbacks.on_role_change;
    o.callbacks.pre_promote = p.pre_promote;
    o.callbacks.before_stop = p.before_stop;
    if (l.bootstrap) {
        const auto& b = *l.bootstrap;
        o.bootstrap.method = b.method;
        o.bootstrap.initdb = to_options(b.initdb);
        o.bootstrap.post_bootstrap = b.post_bootstrap;
        o.bootstrap.pg_hba = b.pg_hba;
        for (const auto& m : b.methods) {
            if (m.name != b.method) continue;
            o.bootstrap.command = m.command;
            o.bootstrap.no_params = m.no_params;
            o.bootstrap.keep_existing_recovery_conf = m.keep_existing_recovery_conf;
            for (const auto& [k, v] : m.options.items) o.bootstrap.method_params.emplace_back(k, text(v));
            if (m.recovery_conf)
                for (const auto& [k, v] : m.recovery_conf->items) o.bootstrap.recovery_conf[k] = text(v);
        }
    }
    o.create_replica_methods = p.create_replica_methods;
    for (const auto& m : p.replica_methods) {
        pg::replica_method r;
        r.name = m.name;
        r.command = m.command.value_or("");
        r.keep_data = m.keep_data;
        r.no_params = m.no_params;
        r.no_leader = m.no_leader;
        for (const auto& [k, v] : m.options.items) r.params.emplace_back(k, text(v));
        o.replica_methods.push_back(std::move(r));
    }
    o.basebackup = to_options(p.basebackup);
    o.rewind_options = to_options(p.rewind);
    o.use_pg_rewind = c.use_pg_rewind();
    o.remove_data_directory_on_rewind_failure = p.remove_data_directory_on_rewind_failure;
    o.remove_data_directory_on_diverged_timelines = p.remove_data_directory_on_diverged_timelines;
    o.use_slots = c.use_slots();
    o.use_unix_socket = p.use_unix_socket;
    o.pg_ctl_timeout = std::chrono::seconds(c.pg_ctl_timeout_s());
    o.primary_stop_timeout = std::chrono::seconds(c.dynamic.primary_stop_timeout);
    return o;
}

} // namespace pgwarden::apps
