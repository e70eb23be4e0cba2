// Local requests: restart (immediate and scheduled) and reinitialize
// (ha-loop.md 10.5, 22; Patroni: Ha.restart, Ha.reinitialize,
// Ha.evaluate_scheduled_restart). Their result string becomes the cycle's reason,
// which the engine also returns to the REST caller.
#pragma once
#include <pgwarden/ha/impl/failover.ipp>
#include <pgwarden/ha/impl/recover.ipp>

namespace pgwarden::ha::detail {

/// The background task this decide() started, if any.
inline const begin_background* started_task(const cycle& c) noexcept
{
    for (const auto& a : c.t.actions)
        if (const auto* b = std::get_if<begin_background>(&a)) return b;
    return nullptr;
}

/// Patroni: Ha.restart_matches.
inline bool restart_matches(const cycle& c, const std::optional<std::string>& role,
                            std::optional<int> postgres_version, bool pending_only) noexcept
{
    if (role && *role != role_name(c.st().role)) return false;
    if (postgres_version && *postgres_version <= c.local->server_version) return false;
    if (pending_only && !c.local->pending_restart) return false;
    return true;
}

/** Patroni: Ha.while_not_sync_standby (§13.10): a synchronous standby first asks the
 *  primary to release it (nosync tags in its member key) and waits up to
 *  2 * loop_wait. True while the caller must wait (and re-decide later). */
inline bool must_leave_sync_first(cycle& c)
{
    const bool applies = c.cluster && c.cfg.synchronous_mode != sync_mode::off && !c.standby_cluster() &&
                         !c.cfg.tags.is_nosync() && !c.lock_held && c.leader;
    const auto* s = c.cluster && c.cluster->sync ? &*c.cluster->sync : nullptr;
    const bool is_sync_standby = applies && s && !s->empty() && iequals(s->leader, *c.leader) &&
                                 contains_ci(s->sync_standby, c.me());
    if (!is_sync_standby) return false;
    if (!c.st().leaving_sync_since) c.st().leaving_sync_since = c.in.now;
    c.st().leaving_sync = true;
    if (c.in.now - *c.st().leaving_sync_since >= 2 * c.cfg.loop_wait) return false;   // waited long enough
    PGWARDEN_MARK("sync: waiting to be released from synchronous standby");
    return true;
}

inline const char* const waiting_for_release = "Waiting for primary to release us from synchronous standby";

/// Starts the background `restart` (Patroni: Ha.restart with run_async).
inline std::string start_restart(cycle& c, std::optional<seconds> timeout)
{
    if (c.busy()) return c.in.background->name + " already in progress";
    if (const auto* b = started_task(c)) return b->name + " already in progress";
    if (must_leave_sync_first(c)) return waiting_for_release;
    c.st().leaving_sync = false;
    c.st().leaving_sync_since.reset();
    pg::start_role role = pg::start_role::replica;
    if (c.is_primary()) role = pg::start_role::primary;
    else if (c.st().role == node_role::standby_leader) role = pg::start_role::standby_leader;
    PGWARDEN_MARK("restart: initiated");
    c.emit(begin_background{"restart"});
    c.emit(pg_stop{pg::stop_mode::fast, false, false, std::nullopt});
    c.emit(pg_start{role, role == pg::start_role::primary ? std::nullopt : node_to_follow(c),
                    timeout.value_or(c.cfg.primary_start_timeout)});
    c.st().recovering = true;
    c.st().start_timeout = timeout;
    return "restart initiated";
}

/// Patroni: Ha.evaluate_scheduled_restart (§22). Only in healthy-cluster cycles.
inline std::optional<std::string> evaluate_scheduled_restart(cycle& c)
{
    const auto& sr = c.in.requests.scheduled;
    if (!sr || c.busy() || c.paused()) return std::nullopt;
    if (sr->postmaster_start && c.local->postmaster_start && *sr->postmaster_start != *c.local->postmaster_start) {
        PGWARDEN_MARK("restart: scheduled restart cancelled, postmaster restarted");
        c.emit(clear_scheduled_restart{});
        return std::nullopt;
    }
    const auto delta = sr->at - c.in.wall_now;
    if (delta > milliseconds(0)) return std::nullopt;
    c.emit(clear_scheduled_restart{});
    if (delta < -milliseconds(c.cfg.loop_wait.count() * 1500)) return std::nullopt;
    auto msg = start_restart(c, sr->timeout);
    if (msg != "restart initiated") return std::nullopt;   // "Scheduled restart: <msg>" is only logged
    return msg;
}

/// Serves REST requests after the cycle. A result replaces the cycle's message.
inline std::optional<std::string> serve_requests(cycle& c)
{
    const auto& rq = c.in.requests;
    if (rq.reinitialize) {
        if (c.unlocked()) return std::string("Cluster has no leader, can not reinitialize");
        if (c.lock_held) return std::string("I am the leader, can not reinitialize");
        if (const auto* b = started_task(c)) return b->name + " already in progress";
        if (c.busy() && !rq.reinitialize->force) return c.in.background->name + " already in progress";
        if (c.busy()) c.emit(cancel_background{});
        std::optional<pg::follow_target> src;
        const auto* m = rq.reinitialize->from_leader ? c.cluster->find_member(*c.leader) : clone_member(c);
        if (m) src = member_target(c, *m);
        PGWARDEN_MARK("reinitialize: started");
        c.emit(begin_background{"reinitialize"});
        c.emit(pg_stop{pg::stop_mode::immediate, false, c.st().watchdog_active, c.cfg.retry_timeout});
        c.emit(pg_reinitialize{src});
        c.st().rewind = rewind_state::initial;
        return std::string("reinitialize started");
    }
    if (rq.restart) {
        if (!restart_matches(c, rq.restart->role, rq.restart->postgres_version, rq.restart->restart_pending_only))
            return std::string("restart conditions are not satisfied");
        return start_restart(c, rq.restart->timeout);
    }
    return std::nullopt;
}

} // namespace pgwarden::ha::detail
