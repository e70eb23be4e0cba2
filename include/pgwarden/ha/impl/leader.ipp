// The cluster with and without a leader (ha-loop.md 5.1, 5.2, 6.1, 6.2, 7.2).
#pragma once
#include <pgwarden/ha/detail/cycle.hpp>
#include <pgwarden/ha/impl/demote.ipp>
#include <pgwarden/ha/impl/race.ipp>
#include <pgwarden/ha/impl/sync.ipp>

namespace pgwarden::ha::detail {

inline bool feedback_is(const cycle& c, std::string_view action, outcome o) noexcept
{
    return c.in.feedback && c.in.feedback->action == action && c.in.feedback->result == o;
}

/** The `/status` slots and `retain_slots` a leader publishes (§14.3; Patroni:
 *  Cluster.maybe_filter_permanent_slots, SlotsHandler retain logic). */
inline void status_slots(cycle& c, renew_leader& r)
{
    if (!c.local || !c.is_running() || !c.cfg.use_slots) return;
    const bool pg11 = c.local->server_version >= 110000;
    const bool member_slots = pg11 && c.cfg.member_slots_ttl.count() > 0;
    // The slot names of the other streaming members, in member order (walked where needed
    // instead of collected: no vector to allocate on every leader cycle).
    auto member_slot = [&](const dcs::member_record& m) -> std::optional<std::string> {
        if (m.name == c.me() || member_nostream(m.data)) return std::nullopt;
        return slot_name_for(m.name);
    };
    auto is_member_slot = [&](const std::string& n) {
        return std::any_of(c.cluster->members.begin(), c.cluster->members.end(), [&](const dcs::member_record& m) {
            const auto s = member_slot(m);
            return s && *s == n;
        });
    };
    auto permanent = [&](const std::string& n) {
        return std::any_of(c.cfg.slots.begin(), c.cfg.slots.end(), [&](const permanent_slot& p) { return p.name == n; });
    };
    for (const auto& sl : c.local->slots) {
        const bool logical = sl.type == "logical";
        const bool known = permanent(sl.name) || (!logical && member_slots && is_member_slot(sl.name));
        if (known) r.slots.emplace_back(sl.name, logical ? sl.confirmed_flush_lsn : sl.restart_lsn);
    }
    if (pg11 && (member_slots || permanent(slot_name_for(c.me()))))
        r.slots.emplace_back(slot_name_for(c.me()), wal_position(*c.local));
    std::sort(r.slots.begin(), r.slots.end());
    if (!member_slots) return;
    auto& kept = c.st().retained_slots;   // name -> last seen
    for (const auto& m : c.cluster->members) {
        const auto name = member_slot(m);
        if (!name) continue;
        const std::string& n = *name;
        auto it = std::find_if(kept.begin(), kept.end(), [&](const auto& kv) { return kv.first == n; });
        if (it == kept.end()) kept.emplace_back(n, c.in.now);
        else it->second = c.in.now;
    }
    std::erase_if(kept, [&](const auto& kv) { return c.in.now - kv.second > c.cfg.member_slots_ttl; });
    const auto by_name = [](const auto& a, const auto& b) { return a.first < b.first; };
    if (!std::is_sorted(kept.begin(), kept.end(), by_name)) std::sort(kept.begin(), kept.end(), by_name);
    r.retain_slots.reserve(kept.size());
    for (const auto& [n, seen] : kept)
        if (!permanent(n)) r.retain_slots.push_back(n);
}

/// Patroni: Ha.update_lock(update_status). Emits the refresh; success is assumed
/// (a failure comes back as feedback and is handled by the next decide).
inline void renew_lock(cycle& c, bool with_status)
{
    renew_leader r;
    r.with_status = with_status;
    if (with_status && c.local && c.is_running()) r.optime = wal_position(*c.local);
    if (with_status) status_slots(c, r);
    c.emit(std::move(r));
    c.st().leader_until = c.in.now + c.cfg.ttl;
    if (c.prev.watchdog_active) c.emit(watchdog_keepalive{});   // Patroni: update_lock -> keepalive
    if (with_status && c.cfg.failsafe_mode && !c.cluster->members.empty()) {
        // Built in the buffer of the state's topology, which is replaced by it below.
        auto topo = std::move(c.st().failsafe_topology);
        topo.clear();
        for (const auto& m : c.cluster->members)
            if (!m.data.api_url.empty()) topo.emplace_back(m.name, m.data.api_url);
        if (!c.cluster->find_member(c.me())) topo.emplace_back(c.me(), c.cfg.api_url);
        std::sort(topo.begin(), topo.end());
        const bool same = c.cluster->failsafe && c.cluster->failsafe->members == topo;
        if (!same) c.emit(write_failsafe{topo});
        c.st().failsafe_topology = std::move(topo);
    }
}

/// Patroni: Ha.release_leader_key_voluntarily.
inline void release_lock(cycle& c, std::optional<lsn> optime = {})
{
    c.emit(release_leader{optime});
    c.lock_held = false;
    c.st().leader_until.reset();
}

/// Patroni: Ha.enforce_primary_role (§6.2).
inline std::string enforce_primary_role(cycle& c, std::string message, std::string_view promote_message)
{
    // Only `required` mode can fail to activate: `automatic` falls back to a null watchdog.
    const bool wd_failed = feedback_is(c, "watchdog_activate", outcome::failed);
    if (!c.paused() && c.cfg.watchdog != watchdog_mode::off && (!c.st().watchdog_active || wd_failed)) {
        if (c.cfg.watchdog == watchdog_mode::required && (wd_failed || !c.cfg.watchdog_usable)) {
            c.st().watchdog_active = false;
            if (c.is_primary()) {
                PGWARDEN_MARK("watchdog: demoting, activation failed");
                demote(c, demote_mode::immediate);
                return "Demoting self because watchdog could not be activated";
            }
            PGWARDEN_MARK("watchdog: not promoting, activation failed");
            release_lock(c);
            return "Not promoting self because watchdog could not be activated";
        }
        // Patroni activates after acquire_lock/update_lock. decide arms the watchdog *before*
        // that lock write instead: a freeze between the write and the promotion then resets the
        // node (timeout ttl - safety_margin) before the new lease runs out, a window Patroni's
        // order leaves unguarded (docs/notes/ha.md). A failed acquire disarms it (run_cycle).
        auto& acts = c.t.actions;
        auto lock_write = std::find_if(acts.begin(), acts.end(), [](const action& a) {
            return std::holds_alternative<renew_leader>(a) || std::holds_alternative<acquire_leader>(a);
        });
        acts.insert(lock_write, watchdog_activate{});
        c.st().watchdog_active = true;
    }
    // A pre_promote failure reported while PostgreSQL already runs as primary is stale (no
    // promotion can have followed it); Patroni would still release the lock of a running primary.
    if (c.in.finished && c.in.finished->name == "promote" && c.in.finished->pre_promote_failed && !c.is_primary()) {
        PGWARDEN_MARK("promote: pre_promote failed");
        c.st().released_leader_key_at = c.in.now;
        release_lock(c);
        return "Promotion cancelled because the pre-promote script failed";
    }
    if (c.is_primary()) {
        c.st().role = node_role::primary;
        process_sync_replication(c);
        update_history(c);
        return message;
    }
    if (c.st().role == node_role::primary || c.st().role == node_role::promoted) {
        process_sync_replication(c);
        return message;
    }
    if (feedback_is(c, "write_sync", outcome::lost_race)) {
        PGWARDEN_MARK("promote: postponed, /sync changed");
        return "Postponing promotion because synchronous replication state was updated by somebody else";
    }
    sync_before_promote(c);
    c.st().failsafe_active = false;
    c.st().last_timeline.reset();
    c.st().rewind = rewind_state::initial;
    c.st().checkpoint_after_promote_done = false;
    c.st().role = node_role::promoted;
    c.st().promote_pending = true;
    PGWARDEN_MARK("promote: started");
    c.emit(begin_background{"promote"});
    c.emit(pg_promote{});
    c.emit(run_callback{"on_role_change", "primary"});
    return std::string(promote_message);
}

/// Patroni: Ha.enforce_follow_remote_member (standby leader, §12).
inline std::string enforce_follow_remote(cycle& c, std::string message)
{
    return follow(c, "cannot be a real primary in standby cluster", std::move(message));
}

} // namespace pgwarden::ha::detail

#include <pgwarden/ha/impl/failover.ipp>

namespace pgwarden::ha::detail {

/// Patroni: Ha.process_healthy_cluster, lock-holder part (§6.1).
inline std::string process_lock_holder(cycle& c)
{
    if (c.paused() && !c.is_primary()) {
        if (!failover_empty(c) && c.cluster->failover->member == c.me())
            return "waiting to become primary after promote...";
        if (!c.standby_cluster()) {
            release_lock(c);
            return "removed leader lock because postgres is not running as primary";
        }
    }
    if (feedback_is(c, "renew_leader", outcome::lost_race)) {
        PGWARDEN_MARK("leader: failed to update leader lock");
        c.st().leader_until.reset();
        c.lock_held = false;
        if (!c.is_primary()) return "not promoting because failed to update leader lock in DCS";
        if (c.paused()) return "continue to run as primary after failing to update leader lock in DCS";
        demote(c, demote_mode::immediate_nolock);
        return "demoted self because failed to update leader lock in DCS";
    }
    renew_lock(c, true);
    if (auto msg = manual_failover_from_leader(c)) return *msg;
    // Patroni: Rewind.ensure_checkpoint_after_promote (§10.4). Patroni runs it in a thread; here
    // it is the last action of the list, so that a failure cannot stop anything else, and a
    // failure reported as feedback makes the next cycle try again.
    if (feedback_is(c, "pg_checkpoint", outcome::failed)) c.st().checkpoint_after_promote_done = false;
    if (c.is_primary() && !c.st().checkpoint_after_promote_done) {
        c.st().checkpoint_after_promote_done = true;
        c.st().rewind = rewind_state::checkpoint;
        c.want_checkpoint = true;
    }
    if (c.standby_cluster()) {
        const bool already = c.st().role == node_role::standby_leader;
        return enforce_follow_remote(
            c, already ? "no action. I am (" + c.me() + "), the standby leader with the lock"
                       : std::string("promoted self to a standby leader because i had the session lock"));
    }
    return enforce_primary_role(c,
                                concat(std::move(c.spare), {"no action. I am (", c.me(), "), the leader with the lock"}),
                                "promoted self to leader because I had the session lock");
}

/// Patroni: Ha.process_healthy_cluster (§6).
inline std::string process_healthy_cluster(cycle& c)
{
    c.st().race_backoff_started.reset();
    if (c.lock_held) return process_lock_holder(c);
    const std::string_view owner = c.leader ? std::string_view(*c.leader) : std::string_view();
    if (c.standby_cluster())
        return follow(c, "cannot be a real primary in a standby cluster",
                      concat(std::move(c.spare), {"no action. I am (", c.me(),
                                                  "), a secondary, and following a standby leader (", owner, ")"}));
    return follow(c, "demoting self because I do not have the lock and I was a leader",
                  concat(std::move(c.spare),
                         {"no action. I am (", c.me(), "), a secondary, and following a leader (", owner, ")"}));
}

/// Patroni: Ha.process_unhealthy_cluster, primary_race_backoff part (§5.1). Message => postpone.
inline std::optional<std::string> race_backoff(cycle& c)
{
    const auto backoff = c.cfg.primary_race_backoff;
    if (c.paused() || c.standby_cluster() || backoff.count() <= 0 || !c.prev.prev_wal_lsn ||
        (!failover_empty(c) && !c.cluster->failover->member.empty()))
        return std::nullopt;
    if (!c.st().race_backoff_started) c.st().race_backoff_started = c.in.now;
    const auto left = std::chrono::duration_cast<milliseconds>(*c.st().race_backoff_started + backoff - c.in.now);
    const bool moving = c.local && c.local->is_streaming && c.is_running() &&
                        wal_position(*c.local) > *c.prev.prev_wal_lsn;
    if ((left.count() > 0 && moving) || left > backoff - c.cfg.loop_wait) {
        PGWARDEN_MARK("race: primary_race_backoff");
        return "My (" + c.me() + ") wal position moved since last heart beat loop, " + seconds_text(left) +
               " seconds until leader race";
    }
    return std::nullopt;
}

/// Patroni: Ha.process_unhealthy_cluster (§5.2).
inline std::string process_unhealthy_cluster(cycle& c)
{
    if (feedback_is(c, "acquire_leader", outcome::lost_race)) {
        PGWARDEN_MARK("race: lost the lock creation race");
        return follow(c, "demoted self after trying and failing to obtain lock",
                      "following new leader after trying and failing to obtain lock");
    }
    if (auto msg = race_backoff(c)) return *msg;
    if (!is_healthiest_node(c)) {
        const bool candidate = !failover_empty(c) && !c.cluster->failover->member.empty();
        if (candidate || (c.cfg.tags.is_nofailover() && !c.paused())) trigger_divergence_check(c);
        if (c.cfg.tags.is_nofailover())
            return follow(c, "demoting self because I am not allowed to become primary",
                          "following a different leader because I am not allowed to promote");
        return follow(c, "demoting self because i am not the healthiest node",
                      "following a different leader because i am not the healthiest node");
    }
    PGWARDEN_MARK("race: acquiring the leader lock");
    c.emit(acquire_leader{});
    c.lock_held = true;
    c.st().leader_until = c.in.now + c.cfg.ttl;
    c.st().race_backoff_started.reset();
    // Patroni: retain_slots timers restart when a node acquires the lock (§14.3).
    c.st().retained_slots.clear();
    if (c.cluster->status)
        for (const auto& n : c.cluster->status->retain_slots) c.st().retained_slots.emplace_back(n, c.in.now);
    if (!failover_empty(c)) {
        const auto& fo = *c.cluster->failover;
        if (c.paused() && !fo.leader.empty() && !fo.member.empty()) {
            dcs::failover_record rewritten;   // Patroni: "Updating failover key after acquiring leader lock..."
            rewritten.member = fo.member;
            rewritten.scheduled_at = fo.scheduled_at;
            c.emit(write_failover{std::move(rewritten), fo.version});
        } else {
            c.emit(clear_failover{});   // "Cleaning up failover key after acquiring leader lock..."
        }
    }
    if (c.standby_cluster())
        return enforce_follow_remote(c, "promoted self to a standby leader by acquiring session lock");
    return enforce_primary_role(c, "acquired session lock as a leader",
                                "promoted self to leader by acquiring session lock");
}

} // namespace pgwarden::ha::detail
