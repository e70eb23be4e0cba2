// PostgreSQL not running, starting, long actions, bootstrap (ha-loop.md 9, 11).
#pragma once
#include <pgwarden/ha/impl/leader.ipp>

namespace pgwarden::ha::detail {

/// Patroni: Ha._handle_crash_recovery (§9.5).
inline std::optional<std::string> handle_crash_recovery(cycle& c)
{
    if (c.st().crash_recovery_executed || !(c.unlocked() || c.in.facts.pg_rewind_usable)) return std::nullopt;
    PGWARDEN_MARK("recover: crash recovery in single user mode");
    c.st().crash_recovery_executed = true;
    c.st().crash_recovery_started = c.in.now;
    std::string msg = "doing crash recovery in a single user mode";
    c.emit(begin_background{msg});
    c.emit(pg_crash_recovery{});
    return msg;
}

inline void disable_watchdog(cycle& c)
{
    if (c.st().watchdog_active) c.emit(watchdog_disable{});
    c.st().watchdog_active = false;
}

/// Patroni: Ha.recover, non-lock-holder target choice (§9.1 step 7).
inline std::optional<std::string> recover_target(cycle& c, std::string& msg, pg::start_role& role,
                                                 std::optional<pg::follow_target>& target)
{
    if (!is_rewind_executed(c.st().rewind)) trigger_divergence_check(c);
    if (auto m = rewind_or_reinitialize(c)) return m;
    if (c.lock_held) {   // standby cluster
        msg = "starting as a standby leader because i had the session lock";
        role = pg::start_role::standby_leader;
        target = node_to_follow(c);
    } else if (c.standby_cluster() && c.unlocked()) {
        msg = "trying to follow a remote member because standby cluster is unhealthy";
        target = remote_primary(c);
    } else {
        msg = "starting as a secondary";
        target = node_to_follow(c);
    }
    if (c.cfg.synchronous_mode != sync_mode::off && c.st().sync_guc) set_guc(c, pg::sync_names{});
    return std::nullopt;
}

/// Patroni: Ha.recover (§9.1): PostgreSQL is not running.
inline std::string recover(cycle& c)
{
    std::optional<seconds> timeout;
    if (c.lock_held && feedback_is(c, "renew_leader", outcome::lost_race)) {
        c.lock_held = false;   // Patroni: has_lock() and update_lock() failed
        c.st().leader_until.reset();
    } else if (c.lock_held) {
        renew_lock(c, false);
        timeout = c.cfg.primary_start_timeout;
        if (timeout->count() == 0 && is_failover_possible(c, false)) {
            PGWARDEN_MARK("recover: primary crashed, failing over");
            disable_watchdog(c);
            demote(c, demote_mode::immediate);
            return "stopped PostgreSQL to fail over after a crash";
        }
    }
    const std::string& cd = c.local->controldata_state;
    const bool unclean = cd == "in production" || cd == "in crash recovery" || cd == "shutting down";
    if (timeout && timeout->count() > 0 && (unclean || cd == "shut down") && c.st().pg_crashed &&
        c.st().role == node_role::primary && !c.in.facts.has_recovery_conf) {
        PGWARDEN_MARK("recover: starting primary after failure");
        c.emit(begin_background{"starting primary after failure"});
        c.emit(pg_start{pg::start_role::primary, std::nullopt, timeout});
        c.st().recovering = true;
        return "starting primary after failure";
    }
    disable_watchdog(c);
    if (unclean && !c.in.facts.has_backup_label) {
        if (auto m = handle_crash_recovery(c)) return *m;
    }
    // Patroni: Rewind.execute removes the data directory after a failed rewind when configured
    // (inside the task; here on the next cycle, PostgreSQL being stopped by the rewind).
    const bool wipe = c.cfg.remove_data_directory_on_rewind_failure || c.cfg.remove_data_directory_on_diverged_timelines;
    if (c.st().rewind == rewind_state::failed && wipe && !c.lock_held) {
        PGWARDEN_MARK("rewind: removing the data directory after a failed pg_rewind");
        c.st().rewind = rewind_state::initial;
        c.emit(pg_move_data_dir_aside{});
        return "removing data directory after a failed pg_rewind";
    }
    std::string msg;
    pg::start_role role = pg::start_role::replica;
    std::optional<pg::follow_target> target;
    if (c.lock_held && !c.standby_cluster()) {
        c.st().rewind = rewind_state::initial;
        msg = "starting as readonly because i had the session lock";
    } else if (auto m = recover_target(c, msg, role, target)) {
        return *m;
    }
    c.emit(begin_background{"restarting after failure"});
    c.emit(pg_start{role, target, timeout});
    c.st().recovering = true;
    // Patroni: Postgresql.start sets the role it starts with. A lock holder that promoted and
    // crashed starts read-only and must then promote again: leaving `promoted` (or `primary`)
    // would make enforce_primary_role believe the promotion done.
    c.st().role = role == pg::start_role::standby_leader ? node_role::standby_leader : node_role::replica;
    return msg;
}

/// Patroni: Ha.post_recover (§9.2).
inline std::optional<std::string> post_recover(cycle& c)
{
    if (c.is_running()) return std::nullopt;
    disable_watchdog(c);
    if (!c.lock_held) return std::string("failed to start postgres");
    if (c.st().role == node_role::primary || c.st().role == node_role::standby_leader) {
        c.st().role = node_role::demoted;
        c.emit(run_callback{"on_role_change", "demoted"});
    }
    PGWARDEN_MARK("recover: removed leader key after failed start");
    release_lock(c);
    return std::string("removed leader key after trying and failing to start postgres");
}

/// Patroni: Ha.handle_starting_instance (§9.3).
inline std::optional<std::string> handle_starting(cycle& c)
{
    if (!c.is_starting() || c.paused()) {
        c.st().start_timeout.reset();
        return std::nullopt;
    }
    if (!c.lock_held) return std::nullopt;   // "Still starting up as a standby."
    if (feedback_is(c, "renew_leader", outcome::lost_race)) {
        PGWARDEN_MARK("starting: lost the lock");
        c.lock_held = false;
        demote(c, demote_mode::immediate_nolock);
        return std::string("stopped PostgreSQL while starting up because leader key was lost");
    }
    renew_lock(c, false);
    const auto timeout = c.st().start_timeout.value_or(c.cfg.primary_start_timeout);
    const auto since = c.st().starting_since.value_or(c.in.now);
    const auto left = std::chrono::duration_cast<milliseconds>(timeout - (c.in.now - since));
    if (left.count() <= 0) {
        if (is_failover_possible(c, false)) {
            PGWARDEN_MARK("starting: startup timeout, demoting");
            demote(c, demote_mode::immediate);
            return std::string("stopped PostgreSQL because of startup timeout");
        }
        return std::string("primary start has timed out, but continuing to wait because failover is not possible");
    }
    if (auto m = manual_failover_from_leader(c)) return m;
    return "PostgreSQL is still starting up, " + seconds_text(left) + " seconds until timeout";
}

/// Patroni: Ha.handle_long_action_in_progress (§9.4).
inline std::string handle_long_action(cycle& c)
{
    const auto& task = *c.in.background;
    if (c.lock_held && !feedback_is(c, "renew_leader", outcome::lost_race)) {
        renew_lock(c, false);
        if (task.name == "doing crash recovery in a single user mode" && c.st().crash_recovery_started &&
            c.in.now - *c.st().crash_recovery_started >= c.cfg.primary_start_timeout &&
            is_failover_possible(c, false)) {
            PGWARDEN_MARK("long action: crash recovery timed out");
            c.emit(cancel_background{});
            demote(c, demote_mode::immediate);
            return "terminated crash recovery because of startup timeout";
        }
        return "updated leader lock during " + task.name;
    }
    if (!c.st().bootstrapping && !c.paused()) {
        if (task.name == "promote" && !task.promote_past_pre_promote) {
            PGWARDEN_MARK("long action: lost leader before promote");
            c.emit(cancel_background{});
            return "lost leader before promote";
        }
        if (c.st().role == node_role::primary) {
            PGWARDEN_MARK("long action: lost leader lock");
            c.emit(cancel_background{});
            c.lock_held = false;
            demote(c, demote_mode::immediate_nolock);
            return "lost leader lock during " + task.name;
        }
    }
    return task.name + " in progress";
}

/// Patroni: Cluster.get_clone_member: a random running clonefrom member, else the leader.
inline const dcs::member_record* clone_member(const cycle& c)
{
    std::vector<const dcs::member_record*> cands;
    for (const auto& m : c.cluster->members) {
        const auto* tag = find_tag(m.data, "clonefrom");
        if (m.name == c.me() || (c.leader && m.name == *c.leader)) continue;
        if (tag && json_truthy(*tag) && m.data.state == "running" && !m.data.conn_url.empty())
            cands.push_back(&m);
    }
    if (!cands.empty()) return cands[c.in.entropy % cands.size()];
    return c.leader ? c.cluster->find_member(*c.leader) : nullptr;
}

/// Patroni: Ha.bootstrap (§11.1).
inline std::string bootstrap(cycle& c)
{
    if (feedback_is(c, "write_initialize", outcome::lost_race)) return "failed to acquire initialize lock";
    if (c.unlocked() && !c.cluster->initialize && !c.cfg.tags.is_nofailover() && c.cfg.has_bootstrap_section) {
        PGWARDEN_MARK("bootstrap: racing for initialize");
        c.emit(write_initialize{"", true});
        c.st().bootstrapping = true;
        c.st().post_bootstrap_done = false;
        c.st().bootstrapping_standby = c.standby_cluster();
        if (c.standby_cluster()) {
            c.emit(begin_background{"bootstrap_standby_leader"});
            c.emit(pg_bootstrap{"", remote_primary(c)});
            return "trying to bootstrap a new standby leader";
        }
        c.emit(begin_background{"bootstrap"});
        c.emit(pg_bootstrap{c.cfg.bootstrap_method, std::nullopt});
        return "trying to bootstrap a new cluster";
    }
    const auto* src = clone_member(c);
    if (!c.unlocked() && src) {
        const bool is_leader = c.leader && src->name == *c.leader;
        const std::string what = std::string("from ") + (is_leader ? "leader" : "replica") + " '" + src->name + "'";
        c.emit(begin_background{"bootstrap " + what});
        c.emit(pg_create_replica{member_target(c, *src), c.cfg.create_replica_methods});
        return "trying to bootstrap " + what;
    }
    // Patroni: can_create_replica_without_replication_connection.
    const auto& methods = c.standby_cluster() ? c.cfg.standby_cluster->create_replica_methods
                                              : c.cfg.create_replica_methods;
    std::vector<std::string> usable;
    for (const auto& m : methods)
        if (m != "basebackup" && std::find(c.cfg.no_leader_methods.begin(), c.cfg.no_leader_methods.end(), m) !=
                                     c.cfg.no_leader_methods.end())
            usable.push_back(m);
    if (!usable.empty() && !(c.cluster->initialize && c.cluster->initialize->empty())) {
        c.emit(begin_background{"bootstrap (without leader)"});
        c.emit(pg_create_replica{std::nullopt, std::move(usable)});
        return "trying to bootstrap (without leader)";
    }
    return std::string("waiting for ") + (c.standby_cluster() ? "standby_" : "") + "leader to bootstrap";
}

/// Patroni: Ha.cancel_initialization (§11.3).
inline void cancel_initialization(cycle& c)
{
    PGWARDEN_MARK("bootstrap: cancelling initialization");
    c.emit(cancel_initialize{});
    c.emit(pg_stop{pg::stop_mode::immediate, false, false, c.cfg.retry_timeout});
    c.emit(pg_move_data_dir_aside{});
    c.emit(exit_daemon{1, "Failed to bootstrap cluster"});
    c.st().exit_requested = true;
    c.st().bootstrapping = false;
}

/// Patroni: Ha.post_bootstrap (§11.3).
inline std::string post_bootstrap(cycle& c)
{
    const bool failed = c.in.finished && !c.in.finished->ok &&
                        (c.in.finished->name == "post_bootstrap" || c.in.finished->name.rfind("bootstrap", 0) == 0);
    if (!c.is_running() || failed) {
        cancel_initialization(c);
        return "Failed to bootstrap cluster";
    }
    if (c.in.finished && c.in.finished->ok && c.in.finished->name == "post_bootstrap")
        c.st().post_bootstrap_done = true;
    if (!c.st().post_bootstrap_done && !c.st().bootstrapping_standby) {
        if (!c.is_primary()) return "waiting for end of recovery after bootstrap";
        c.st().role = node_role::primary;
        c.emit(begin_background{"post_bootstrap"});
        c.emit(pg_post_bootstrap{});
        return "running post_bootstrap";
    }
    if (feedback_is(c, "watchdog_activate", outcome::failed)) {
        cancel_initialization(c);
        return "Failed to bootstrap cluster";
    }
    c.st().bootstrapping = false;
    if (c.cfg.watchdog != watchdog_mode::off) {
        c.emit(watchdog_activate{});
        c.st().watchdog_active = true;
    }
    const auto sysid = c.local->system_identifier ? std::to_string(*c.local->system_identifier) : std::string();
    c.emit(write_initialize{sysid, !c.cluster->initialize.has_value()});
    c.emit(write_config{c.cfg.dynamic_config_json, std::nullopt});
    c.emit(acquire_leader{});
    c.lock_held = true;
    c.st().leader_until = c.in.now + c.cfg.ttl;
    c.st().role = c.st().bootstrapping_standby ? node_role::standby_leader : node_role::primary;
    if (c.cfg.synchronous_mode != sync_mode::off && !c.standby_cluster())
        set_guc(c, guc_value(false, c.cfg.synchronous_mode_strict ? 1 : 0, {}, c.cfg.synchronous_mode_strict));
    c.emit(run_callback{"on_start", std::string(role_name(c.st().role))});
    c.st().callback_fired = true;
    PGWARDEN_MARK("bootstrap: initialized a new cluster");
    return "initialized a new cluster";
}

} // namespace pgwarden::ha::detail
