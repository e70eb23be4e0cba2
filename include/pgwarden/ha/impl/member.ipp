// The member key this node publishes (dcs.md 2.2; Patroni: Ha.touch_member).
#pragma once
#include <pgwarden/ha/detail/cycle.hpp>

namespace pgwarden::ha::detail {

/// The exact state strings of dcs.md 2.2.1.
inline const char* state_text(pg::pg_state s) noexcept
{
    using S = pg::pg_state;
    switch (s) {
    case S::initializing_new_cluster: return "initializing new cluster";
    case S::initdb_failed: return "initdb failed";
    case S::running_custom_bootstrap_script: return "running custom bootstrap script";
    case S::custom_bootstrap_failed: return "custom bootstrap failed";
    case S::creating_replica: return "creating replica";
    case S::running: return "running";
    case S::starting: return "starting";
    case S::starting_after_custom_bootstrap: return "starting after custom bootstrap";
    case S::start_failed: return "start failed";
    case S::restarting: return "restarting";
    case S::restart_failed: return "restart failed";
    case S::stopping: return "stopping";
    case S::stopped: return "stopped";
    case S::stop_failed: return "stop failed";
    case S::crashed: return "crashed";
    case S::unknown: return "unknown";
    }
    return "unknown";
}

/// Patroni: Ha.get_effective_tags with the filtering of dcs.md 2.2.3.
inline dcs::json_fields effective_tags(const cycle& c)
{
    const auto& t = c.cfg.tags;
    dcs::json_fields out;
    auto boolean = [](bool b) { return std::string(b ? "true" : "false"); };
    if (t.clonefrom) out.emplace_back("clonefrom", "true");
    if (t.nofailover && (*t.nofailover || t.failover_priority)) out.emplace_back("nofailover", boolean(*t.nofailover));
    if (t.failover_priority) out.emplace_back("failover_priority", std::to_string(*t.failover_priority));
    if (t.noloadbalance) out.emplace_back("noloadbalance", "true");
    const bool leaving = c.st().leaving_sync;
    if (leaving || (t.nosync && (*t.nosync || t.sync_priority)))
        out.emplace_back("nosync", boolean(leaving || *t.nosync));
    if (leaving) out.emplace_back("sync_priority", "0");
    else if (t.sync_priority) out.emplace_back("sync_priority", std::to_string(*t.sync_priority));
    if (t.nostream) out.emplace_back("nostream", "true");
    if (t.replicatefrom) out.emplace_back("replicatefrom", "\"" + *t.replicatefrom + "\"");
    for (const auto& kv : t.custom) out.push_back(kv);
    return out;
}

/// Patroni: Ha.touch_member (data part), written into a default-constructed `d`.
inline void member_data_into(const cycle& c, dcs::member_data& d)
{
    d.conn_url = c.cfg.conn_url;
    d.api_url = c.cfg.api_url;
    d.state = c.local ? state_text(c.local->state) : "unknown";
    d.role = std::string(role_name(c.st().role));
    d.version = c.cfg.patroni_version;
    if (c.st().leader_until && *c.st().leader_until > c.in.now && !c.st().checkpoint_after_promote_done)
        d.checkpoint_after_promote = false;
    d.tags = effective_tags(c);
    const bool busy_other = c.in.background && c.in.background->name != "promote";
    if (c.local && c.local->pending_restart) d.pending_restart = true;
    if (c.in.requests.scheduled && !c.in.requests.scheduled->json.empty())
        d.scheduled_restart = c.in.requests.scheduled->json;
    if (c.local)   // 4.x `pending_restart_reason` (dcs.md 2.2): what a restart would change
        for (const auto& [guc, change] : c.local->pending_restart_reason) {
            d.pending_restart = true;
            d.pending_restart_reasons.push_back(dcs::pending_restart_reason{guc, change.old_value, change.new_value});
        }
    if (c.local && c.is_running() && !busy_other) {
        d.xlog_location = wal_position(*c.local);
        if (c.local->in_recovery) {
            if (c.local->replay_lsn.value) d.replay_lsn = c.local->replay_lsn;
            if (c.local->receive_lsn.value) d.receive_lsn = c.local->receive_lsn;
            if (c.local->is_streaming) d.replication_state = "streaming";
        }
        if (c.local->timeline > 0) d.timeline = c.local->timeline;
    }
    d.pause = c.paused();
}

/// Patroni: Ha.touch_member (data part).
inline dcs::member_data member_data_for(const cycle& c)
{
    dcs::member_data d;
    member_data_into(c, d);
    return d;
}

} // namespace pgwarden::ha::detail
