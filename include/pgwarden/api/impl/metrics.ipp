#pragma once
#include <pgwarden/api/detail/py_json.hpp>
#include <pgwarden/api/detail/status.hpp>
#include <pgwarden/api/metrics.hpp>

#include <array>
#include <string_view>

namespace pgwarden::api {

namespace detail {

// rest-api.md 5.4: index -> state text and enum name used in the metrics help.
struct state_entry { std::string_view text; std::string_view name; };
inline constexpr std::array<state_entry, 15> postgres_states{{
    {"initializing new cluster", "initdb"},
    {"initdb failed", "initdb_failed"},
    {"running custom bootstrap script", "custom_bootstrap"},
    {"custom bootstrap failed", "custom_bootstrap_failed"},
    {"creating replica", "creating_replica"},
    {"running", "running"},
    {"starting", "starting"},
    {"starting after custom bootstrap", "bootstrap_starting"},
    {"start failed", "start_failed"},
    {"restarting", "restarting"},
    {"restart failed", "restart_failed"},
    {"stopping", "stopping"},
    {"stopped", "stopped"},
    {"stop failed", "stop_failed"},
    {"crashed", "crashed"},
}};

class metric_writer {
public:
    metric_writer(std::string& out, const api_view& v) : out_(out)
    {
        labels_ = "{scope=\"" + v.scope + "\",name=\"" + v.name + "\"}";
    }
    void head(std::string_view metric, std::string_view type, std::string_view help)
    {
        out_ += "# HELP ";
        out_ += metric;
        out_ += ' ';
        out_ += help;
        out_ += '\n';
        if (!type.empty()) type_line(metric, type);
    }
    void type_line(std::string_view metric, std::string_view type)
    {
        out_ += "# TYPE ";
        out_ += metric;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }
    void sample_text(std::string_view metric, std::string_view value)
    {
        out_ += metric;
        out_ += labels_;
        out_ += ' ';
        out_ += value;
        out_ += '\n';
    }
    void sample(std::string_view metric, std::int64_t value)
    {
        std::string s;
        put_int(s, value);
        sample_text(metric, s);
    }
    void sample_u(std::string_view metric, std::uint64_t value)
    {
        std::string s;
        put_uint(s, value);
        sample_text(metric, s);
    }
    /// Python: total_seconds() as float, or the int 0 when absent.
    void sample_epoch(std::string_view metric, const std::optional<pg_timestamp>& t)
    {
        std::string s;
        if (t) put_double(s, static_cast<double>(t->epoch_us) / 1e6);
        else s = "0";
        sample_text(metric, s);
    }
    void gauge(std::string_view metric, std::string_view help, std::int64_t value)
    {
        head(metric, "gauge", help);
        sample(metric, value);
    }

private:
    std::string& out_;
    std::string labels_;
};

/// `patroni_version`: each dotted part zero-padded to two digits (4.1.4 -> 040104).
inline std::string padded_semver(std::string_view version)
{
    std::string out;
    while (true) {
        auto dot = version.find('.');
        auto part = version.substr(0, dot);
        if (part.size() < 2) out.append(2 - part.size(), '0');
        out += part;
        if (dot == std::string_view::npos) break;
        version.remove_prefix(dot + 1);
    }
    return out;
}

} // namespace detail

PGWARDEN_DECL int postgres_state_index(std::string_view state) noexcept
{
    for (std::size_t i = 0; i < detail::postgres_states.size(); ++i)
        if (detail::postgres_states[i].text == state) return static_cast<int>(i);
    return -1;
}

PGWARDEN_DECL std::string render_metrics(const api_view& v, bool cluster_valid)
{
    std::string out;
    out.reserve(4096);
    detail::metric_writer w(out, v);
    const auto& pg = v.pg;
    const bool replica_xlog = pg.query_ok && pg.in_recovery;
    const bool primary_xlog = pg.query_ok && !pg.in_recovery;
    const auto flags = detail::status_sync_flags(v, cluster_valid);

    w.head("patroni_version", "gauge", "Patroni semver without periods.");
    w.sample_text("patroni_version", detail::padded_semver(v.version));
    w.gauge("patroni_postgres_running", "Value is 1 if Postgres is running, 0 otherwise.", pg.state == "running");
    w.head("patroni_postmaster_start_time", "gauge", "Epoch seconds since Postgres started.");
    w.sample_epoch("patroni_postmaster_start_time", pg.query_ok ? pg.postmaster_start_time : std::nullopt);
    w.gauge("patroni_primary", "Value is 1 if this node is the leader, 0 otherwise.", pg.role == "primary");
    w.head("patroni_xlog_location", "counter",
           "Current location of the Postgres transaction log, 0 if this node is not the leader.");
    w.sample_u("patroni_xlog_location", primary_xlog ? pg.xlog_location : 0);
    w.gauge("patroni_standby_leader", "Value is 1 if this node is the standby_leader, 0 otherwise.",
            pg.role == "standby_leader");
    w.gauge("patroni_replica", "Value is 1 if this node is a replica, 0 otherwise.", pg.role == "replica");
    w.gauge("patroni_sync_standby", "Value is 1 if this node is a sync standby, 0 otherwise.", flags.sync_standby);
    w.gauge("patroni_quorum_standby", "Value is 1 if this node is a quorum standby, 0 otherwise.",
            flags.quorum_standby);
    w.head("patroni_xlog_received_location", "counter",
           "Current location of the received Postgres transaction log, 0 if this node is not a replica.");
    w.sample_u("patroni_xlog_received_location", replica_xlog ? pg.received_location : 0);
    w.head("patroni_xlog_replayed_location", "counter",
           "Current location of the replayed Postgres transaction log, 0 if this node is not a replica.");
    w.sample_u("patroni_xlog_replayed_location", replica_xlog ? pg.replayed_location : 0);
    w.head("patroni_xlog_replayed_timestamp", "gauge",
           "Current timestamp of the replayed Postgres transaction log, 0 if null.");
    w.sample_epoch("patroni_xlog_replayed_timestamp", replica_xlog ? pg.replayed_timestamp : std::nullopt);
    w.gauge("patroni_xlog_paused", "Value is 1 if the Postgres xlog is paused, 0 otherwise.",
            replica_xlog && pg.replay_paused);
    // Patroni reads server_version from the status document, which has it
    // only when the status query succeeded.
    const int server_version = pg.query_ok ? pg.server_version : 0;
    if (server_version >= 90600) {
        w.gauge("patroni_postgres_streaming", "Value is 1 if Postgres is streaming, 0 otherwise.",
                pg.replication_state && *pg.replication_state == "streaming");
        w.gauge("patroni_postgres_in_archive_recovery",
                "Value is 1 if Postgres is replicating from archive, 0 otherwise.",
                pg.replication_state && *pg.replication_state == "in archive recovery");
    }
    w.gauge("patroni_postgres_server_version", "Version of Postgres (if running), 0 otherwise.", server_version);
    w.gauge("patroni_cluster_unlocked", "Value is 1 if the cluster is unlocked, 0 if locked.",
            detail::status_cluster_unlocked(v, cluster_valid));
    w.gauge("patroni_failsafe_mode_is_active", "Value is 1 if failsafe mode is active, 0 if inactive.",
            v.failsafe_active);
    w.gauge("patroni_failsafe_mode_enabled", "Value is 1 if failsafe_mode is enabled, 0 otherwise.",
            v.failsafe_mode);
    bool failsafe_member = false;
    if (v.cluster && v.cluster->failsafe)
        for (const auto& [member, url] : v.cluster->failsafe->members)
            if (member == v.name) failsafe_member = true;
    w.gauge("patroni_failsafe_member", "Value is 1 if this node is a member of failsafe, 0 otherwise.",
            failsafe_member);
    w.gauge("patroni_postgres_timeline", "Postgres timeline of this node (if running), 0 otherwise.",
            pg.query_ok && pg.timeline ? *pg.timeline : 0);
    w.gauge("patroni_dcs_last_seen", "Epoch timestamp when DCS was last contacted successfully by Patroni.",
            v.dcs_last_seen);
    w.gauge("patroni_pending_restart", "Value is 1 if the node needs a restart, 0 otherwise.",
            !v.pending_restart_reasons.empty());
    w.gauge("patroni_is_paused", "Value is 1 if auto failover is disabled, 0 otherwise.", v.paused);
    w.head("patroni_postgres_state", "", "Numeric representation of Postgres state.");
    out += "# Values: ";
    for (std::size_t i = 0; i < detail::postgres_states.size(); ++i) {
        if (i > 0) out += ", ";
        detail::put_int(out, static_cast<std::int64_t>(i));
        out += '=';
        out += detail::postgres_states[i].name;
    }
    out += '\n';
    w.type_line("patroni_postgres_state", "gauge");
    w.sample("patroni_postgres_state", postgres_state_index(pg.state));
    w.gauge("patroni_failover_priority", "Failover priority of this node.", v.failover_priority);
    return out;
}

} // namespace pgwarden::api
