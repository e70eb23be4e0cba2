// Demotion and following (ha-loop.md 6.3, 6.5, 8, 10.2).
#pragma once
#include <pgwarden/ha/detail/cycle.hpp>
#include <pgwarden/ha/impl/race.ipp>

namespace pgwarden::ha::detail {

enum class demote_mode { offline, graceful, immediate, immediate_nolock, demote_cluster };

/// The remote primary of a standby cluster (Patroni: Ha.get_remote_member).
inline pg::follow_target remote_primary(const cycle& c)
{
    const auto& sc = *c.cfg.standby_cluster;
    pg::follow_target t;
    if (!sc.host.empty() || !sc.port.empty())
        t.conn_url = "postgres://" + (sc.host.empty() ? std::string("localhost") : sc.host) + ":" +
                     (sc.port.empty() ? std::string("5432") : sc.port) + "/postgres";
    t.slot_name = sc.primary_slot_name;
    t.restore_command = sc.restore_command;
    return t;
}

inline pg::follow_target member_target(const cycle& c, const dcs::member_record& m)
{
    pg::follow_target t;
    t.member = m.name;
    t.conn_url = m.data.conn_url;
    if (c.cfg.use_slots) t.slot_name = slot_name_for(c.me());
    if (c.standby_cluster()) t.restore_command = c.cfg.standby_cluster->restore_command;
    return t;
}

/// Patroni: Ha._get_node_to_follow (§6.5). nullopt = follow nobody.
inline std::optional<pg::follow_target> node_to_follow(const cycle& c)
{
    if (c.cfg.tags.nostream) return std::nullopt;
    if (c.standby_cluster() && (c.lock_held || (c.unlocked() && !c.paused()))) return remote_primary(c);
    if (!c.cluster) return std::nullopt;
    const dcs::member_record* m = nullptr;
    if (c.cfg.tags.replicatefrom && *c.cfg.tags.replicatefrom != c.me())
        m = c.cluster->find_member(*c.cfg.tags.replicatefrom);
    if (!m && c.leader) {
        m = c.cluster->find_member(*c.leader);
        if (!m) {   // the leader key names a member without a member key
            pg::follow_target t;
            t.member = *c.leader;
            return t.member == c.me() ? std::nullopt : std::optional(t);
        }
    }
    if (!m || m->name == c.me()) return std::nullopt;
    return member_target(c, *m);
}

/// Who "is followed" in the wording of local_facts::following.
inline std::string follow_key(const std::optional<pg::follow_target>& t)
{
    if (!t) return std::string();
    return t->member ? *t->member : t->conn_url;
}

/** Patroni: Ha.demote (§8). Emits the actions of `mode`; the caller names the
 *  background task (if any) before calling. */
inline void demote(cycle& c, demote_mode mode)
{
    PGWARDEN_MARK("demote");
    const bool releases = mode == demote_mode::graceful || mode == demote_mode::immediate ||
                          mode == demote_mode::demote_cluster;
    const bool fast = mode == demote_mode::offline || mode == demote_mode::graceful ||
                      mode == demote_mode::demote_cluster;
    pg_stop stop;
    stop.mode = fast ? pg::stop_mode::fast : pg::stop_mode::immediate;
    stop.checkpoint = mode == demote_mode::graceful;
    stop.disable_watchdog_at_safe_point = c.prev.watchdog_active;
    if (c.cfg.synchronous_mode != sync_mode::off && c.cfg.primary_stop_timeout.count() > 0)
        stop.timeout = c.cfg.primary_stop_timeout;
    c.emit(std::move(stop));   // demote before releasing the key (STYLE.md 3 rule 2)
    c.st().watchdog_active = false;
    c.st().role = node_role::demoted;
    trigger_divergence_check(c);
    if (c.cfg.synchronous_mode != sync_mode::off) {
        c.emit(pg_set_sync_standbys{});
        c.st().sync_guc.reset();
    }
    if (releases && c.lock_held) {
        c.emit(release_leader{});
        c.lock_held = false;
    }
    if (mode != demote_mode::offline) c.st().leader_until.reset();
    if (mode == demote_mode::graceful || mode == demote_mode::demote_cluster) return;   // next cycle recovers
    pg_start start;
    start.role = pg::start_role::replica;
    if (mode != demote_mode::offline) start.follow = node_to_follow(c);
    if (mode != demote_mode::offline) c.emit(begin_background{"starting after demotion"});
    c.emit(std::move(start));
}

/// Patroni: Ha._handle_rewind_or_reinitialize (§10.2). Returns a message when it started something.
inline std::optional<std::string> rewind_or_reinitialize(cycle& c)
{
    // Nothing to check or do (the usual cycle): skip building the reference target.
    if (c.st().rewind != rewind_state::check && c.st().rewind != rewind_state::need) return std::nullopt;
    std::optional<pg::follow_target> ref;
    if (c.standby_cluster()) ref = remote_primary(c);
    else if (c.leader && *c.leader != c.me() && c.cluster->find_member(*c.leader))
        ref = member_target(c, *c.cluster->find_member(*c.leader));
    if (!ref || ref->conn_url.empty()) return std::nullopt;
    if (c.st().rewind == rewind_state::check) {
        switch (c.in.facts.divergence_check) {
        case divergence::not_checked:
            c.divergence_target = ref;
            c.ask(query::divergence);
            return std::nullopt;
        case divergence::need_rewind: c.st().rewind = rewind_state::need; break;
        case divergence::no_rewind: c.st().rewind = rewind_state::not_need; break;
        case divergence::check_failed: break;
        }
    }
    if (c.st().rewind != rewind_state::need) return std::nullopt;
    if (c.in.facts.pg_rewind_usable) {
        std::string name = "running pg_rewind from " + follow_key(ref);
        PGWARDEN_MARK("rewind: running pg_rewind");
        c.emit(begin_background{name});
        if (!c.is_running() && c.local && c.local->controldata_state == "in archive recovery")
            c.emit(pg_crash_recovery{});
        c.emit(pg_rewind{*ref});
        return name;
    }
    if (c.cfg.remove_data_directory_on_diverged_timelines && !c.standby_cluster()) {
        PGWARDEN_MARK("rewind: reinitializing due to diverged timelines");
        c.emit(begin_background{"reinitializing due to diverged timelines"});
        c.emit(pg_reinitialize{ref});
        c.st().rewind = rewind_state::initial;
        return std::string("reinitializing due to diverged timelines");
    }
    return std::nullopt;
}

/// Patroni: Ha._leader_timeline: the `timeline` the leader's member key publishes.
inline std::optional<std::int64_t> leader_timeline(const cycle& c)
{
    if (!c.cluster || !c.leader) return std::nullopt;
    const auto* m = c.cluster->find_member(*c.leader);
    if (!m || !m->data.timeline || *m->data.timeline <= 0) return std::nullopt;
    return *m->data.timeline;
}

/// Patroni: Ha.follow, paused part (§6.3 step 3). Returns a message to stop with.
inline std::optional<std::string> follow_paused(cycle& c, const std::optional<pg::follow_target>& target)
{
    const bool rewind_pending = is_rewind_needed(c.st().rewind) &&
                                (c.in.facts.pg_rewind_usable || c.cfg.remove_data_directory_on_diverged_timelines);
    if (rewind_pending && !c.unlocked()) return std::nullopt;
    if (c.is_primary()) {
        c.st().role = node_role::primary;
        return std::string("continue to run as primary without lock");
    }
    if (c.st().role != node_role::standby_leader && c.is_running()) c.st().role = node_role::replica;
    if (!target) return "no action. I am (" + c.me() + ")";
    return std::nullopt;
}

/// Patroni: Ha.follow (§6.3), with refresh=false (decide sees one snapshot).
inline std::string follow(cycle& c, std::string_view demote_reason, std::string follow_reason)
{
    const auto target = node_to_follow(c);
    if (c.paused()) {
        if (auto msg = follow_paused(c, target)) return *msg;
    } else if (c.is_primary()) {
        if (c.standby_cluster()) {
            c.emit(begin_background{"demoting to a standby cluster"});
            demote(c, demote_mode::demote_cluster);
        } else {
            demote(c, demote_mode::immediate_nolock);
        }
        return std::string(demote_reason);
    }
    if (!c.is_starting()) {
        if (auto msg = rewind_or_reinitialize(c)) return *msg;
    }
    if (!c.paused() && c.in.facts.replay_paused && c.local && c.local->server_version >= 140000)
        c.emit(pg_resume_replay{});
    const bool remote = c.standby_cluster() && (c.lock_held || (c.unlocked() && !c.paused()));
    const node_role want = remote && c.lock_held ? node_role::standby_leader : node_role::replica;
    if (c.standby_cluster() && want == node_role::replica && (!target || target->conn_url.empty()))
        return "continue following the old known standby leader";
    // follow_key(target) != following.value_or(""), compared without building either string.
    const std::string_view want_key = !target ? std::string_view()
                                      : target->member ? std::string_view(*target->member)
                                                       : std::string_view(target->conn_url);
    const std::string_view have_key = c.in.facts.following ? std::string_view(*c.in.facts.following)
                                                           : std::string_view();
    if (c.is_running() && want_key != have_key) {
        const bool restart = c.local->server_version > 0 && c.local->server_version < 130000;
        PGWARDEN_MARK("follow: recovery configuration changed");
        if (restart) c.emit(begin_background{"changing primary_conninfo and restarting"});
        c.emit(pg_follow{target.value_or(pg::follow_target{}), restart});
        c.st().role = want;
        trigger_divergence_check(c);
    } else {
        if (want == node_role::standby_leader && c.st().role != want) {
            c.st().role = want;
            c.emit(run_callback{"on_role_change", "standby_leader"});
        } else if (c.is_running() && c.st().role != node_role::standby_leader) {
            c.st().role = node_role::replica;
        }
        // Patroni: Ha.follow, "_last_timeline < _leader_timeline" (§6.3 step 10): a replica that
        // stays on an older timeline than the leader publishes (it never streamed the switch, or
        // it forked) is checked for divergence, and rewound if needed.
        const auto leader_tl = leader_timeline(c);
        if (c.is_running() && c.local->timeline > 0) c.st().last_timeline = c.local->timeline;
        if (c.st().last_timeline && leader_tl && *c.st().last_timeline < *leader_tl) {
            PGWARDEN_MARK("follow: behind the leader's timeline");
            trigger_divergence_check(c);
            if (auto msg = rewind_or_reinitialize(c)) return *msg;
        }
    }
    return follow_reason;
}

} // namespace pgwarden::ha::detail
