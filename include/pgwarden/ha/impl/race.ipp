// The leader race and failover-possibility checks (ha-loop.md 5, 7.3).
#pragma once
#include <pgwarden/ha/detail/cycle.hpp>

namespace pgwarden::ha::detail {

/// The pre-fetched status of `name`; asks for peers when the engine has not fetched them.
inline const peer_status* find_peer(cycle& c, std::string_view name) noexcept
{
    if (!c.in.peers) {
        c.ask(query::peers);
        return nullptr;
    }
    for (const auto& p : *c.in.peers)
        if (p.name == name) return &p;
    return nullptr;
}

/// Patroni: _MemberStatus.failover_limitation() is None.
inline bool peer_usable(const peer_status* p) noexcept
{
    return p && p->reachable && !p->nofailover && !p->watchdog_failed;
}

/// Patroni: Ha.is_lagging.
inline bool is_lagging(const cycle& c, lsn position) noexcept
{
    const lsn optime = cluster_optime(*c.cluster);
    return optime > position && optime.value - position.value > c.cfg.maximum_lag_on_failover;
}

/// Patroni: Ha.get_failover_candidates (§5.5).
inline std::vector<const dcs::member_record*> failover_candidates(const cycle& c, bool exclude_candidate)
{
    std::vector<const dcs::member_record*> out;
    const auto* fo = failover_empty(c) ? nullptr : &*c.cluster->failover;
    for (const auto& m : c.cluster->members) {
        if (m.name == c.me()) continue;
        if (fo && exclude_candidate && m.name == fo->member) continue;
        if (sync_active(c) && !in_sync_record(c, m.name) && !(fo && fo->leader.empty())) continue;
        if (member_nofailover(m.data) || m.data.api_url.empty()) continue;
        if (fo && !fo->member.empty() && !exclude_candidate && m.name != fo->member) continue;
        out.push_back(&m);
    }
    return out;
}

/** Patroni: Ha.is_failover_possible (§5.5). `reference` = shutdown checkpoint LSN, if any. */
inline bool is_failover_possible(cycle& c, bool exclude_candidate, std::optional<lsn> reference = {})
{
    const auto candidates = failover_candidates(c, exclude_candidate);
    std::int64_t votes = -1;
    const std::int64_t cluster_tl = c.cluster->timeline();
    for (const auto* m : candidates) {
        const peer_status* p = find_peer(c, m->name);
        if (!peer_usable(p)) continue;
        if (reference ? p->wal_position < *reference : is_lagging(c, p->wal_position)) continue;
        if (c.cfg.check_timeline && (!p->timeline || *p->timeline < cluster_tl)) continue;
        ++votes;
    }
    const auto* fo = failover_empty(c) ? nullptr : &*c.cluster->failover;
    const bool check_quorum = quorum_active(c) && (!fo || fo->member.empty() || exclude_candidate);
    if (check_quorum && votes < c.cluster->sync->quorum) {
        PGWARDEN_MARK("failover possible: not enough quorum votes");
        return false;
    }
    return votes >= 0;
}

/// Patroni: Ha._is_healthiest_node, peer loop (§5.4 step 8). Returns false when a peer disqualifies us.
inline bool compare_with_peers(cycle& c, const std::vector<std::string>& peers, lsn my_wal,
                               const std::vector<std::string>& voting, std::int64_t& votes,
                               std::int64_t& ahead)
{
    const bool quorum = !voting.empty();
    std::string leader_name = sync_active(c) ? c.cluster->sync->leader : c.prev.former_leader.value_or("");
    for (const auto& name : peers) {
        const peer_status* p = find_peer(c, name);
        if (!peer_usable(p)) continue;
        if (!p->in_recovery) {
            PGWARDEN_MARK("race: primary is still alive");
            return false;
        }
        if (p->wal_position > my_wal) {
            ++ahead;
            if (!(sync_active(c) && iequals(name, c.cluster->sync->leader))) {
                PGWARDEN_MARK("race: a peer is ahead");
                return false;
            }
            continue;
        }
        if (p->wal_position.value == 0) continue;
        bool low_priority = p->wal_position == my_wal &&
                            c.cfg.tags.effective_failover_priority() < p->failover_priority;
        if (low_priority && iequals(name, leader_name)) low_priority = false;
        if (low_priority && (!quorum || contains_ci(voting, name))) {
            PGWARDEN_MARK("race: a peer has a higher failover_priority");
            return false;
        }
        if (contains_ci(voting, name)) ++votes;
    }
    return true;
}

/// Patroni: Ha._is_healthiest_node (§5.4).
inline bool is_healthiest_among(cycle& c, const std::vector<std::string>& members, bool check_lag)
{
    const std::int64_t cluster_tl = c.cluster->timeline();
    const lsn my_wal = wal_position(*c.local);
    if (check_lag && is_lagging(c, my_wal)) {
        PGWARDEN_MARK("race: my wal position exceeds maximum replication lag");
        return false;
    }
    if (!c.standby_cluster() && c.cfg.check_timeline) {
        const std::int64_t my_tl = c.local->timeline;
        if (my_tl == 0 || my_tl < cluster_tl) {
            PGWARDEN_MARK("race: my timeline is behind");
            return false;
        }
    }
    std::vector<std::string> voting;
    std::int64_t quorum = 0;
    if (quorum_active(c)) {
        quorum = c.cluster->sync->quorum;
        voting = c.cluster->sync->sync_standby;
        voting.push_back(c.cluster->sync->leader);
    }
    std::vector<std::string> peers;
    for (const auto& name : members) {
        if (name == c.me()) continue;
        const auto* m = c.cluster->find_member(name);
        const bool has_api = m ? !m->data.api_url.empty() : true;   // failsafe pseudo-members have one
        if (!has_api) continue;
        if (m && member_nofailover(m->data) && !contains_ci(voting, name)) continue;
        peers.push_back(name);
    }
    std::int64_t votes = contains_ci(voting, c.me()) ? 0 : -1, ahead = 0;
    if (!compare_with_peers(c, peers, my_wal, voting, votes, ahead)) return false;
    if (voting.empty()) return true;
    return votes >= quorum || (ahead == 0 && iequals(c.cluster->sync->leader, c.me()));
}

/// Sync restriction of the race candidates (§5.3 rule 9, §13.7).
inline std::vector<std::string> restrict_to_sync(const cycle& c, std::vector<std::string> names)
{
    if (!sync_active(c)) return names;
    std::vector<std::string> out;
    for (auto& n : names)
        if (in_sync_record(c, n)) out.push_back(std::move(n));
    return out;
}

/// Failsafe mode with a non-empty /failsafe that does not list `name` (§17 race restriction).
inline bool failsafe_excludes(const cycle& c, std::string_view name)
{
    if (!c.cfg.failsafe_mode || !c.cluster->failsafe || c.cluster->failsafe->members.empty()) return false;
    for (const auto& [n, url] : c.cluster->failsafe->members)
        if (n == name) return false;
    return true;
}

/// Patroni: Ha.manual_failover_process_no_leader (§7.3). nullopt = no decision.
inline std::optional<bool> manual_failover_no_leader(cycle& c)
{
    const auto& fo = *c.cluster->failover;
    if (!fo.member.empty()) {
        // Deliberate divergence (docs/notes/ha.md): Patroni promotes the switchover candidate
        // unchecked once the leader is gone. In quorum mode a voter need not hold every
        // acknowledged commit (ANY k), so when the leader vanished before handing over, every
        // voter (the candidate too) races as in a failover to nobody in particular, without the
        // lag check (found by the simulator: S4 with synchronous_mode_strict).
        const bool orphaned = !fo.leader.empty() && quorum_active(c) && !c.paused();
        if (orphaned) PGWARDEN_MARK("manual failover: switchover leader gone in quorum mode, voters race");
        if (fo.member == c.me() && !orphaned) return true;
        const auto* cand = c.cluster->find_member(fo.member);
        if (c.paused()) {
            if (!cand && c.is_primary()) {
                PGWARDEN_MARK("manual failover: removing key, candidate is gone");
                c.emit(clear_failover{fo.version});
                return std::nullopt;
            }
            return false;
        }
        // Patroni: is_synchronous_mode() (requested, not standby), not sync_mode_is_active().
        if (c.cfg.synchronous_mode == sync_mode::on && !c.standby_cluster() && !in_sync_record(c, c.me()))
            return false;
        // A candidate that /failsafe excludes cannot take the lock (see is_healthiest_node): the
        // others treat it as unhealthy instead of waiting for it forever.
        if (!orphaned && cand && peer_usable(find_peer(c, cand->name)) && !failsafe_excludes(c, cand->name))
            return false;   // candidate healthy
        PGWARDEN_MARK("manual failover: candidate unhealthy, considering all members");
    } else if (c.paused()) {
        return false;
    }
    if (!fo.leader.empty() && fo.leader == c.me())
        return !is_failover_possible(c, !fo.member.empty());
    std::vector<std::string> members;
    for (const auto& m : c.cluster->members)
        if (fo.leader.empty() || m.name != fo.leader) members.push_back(m.name);
    return is_healthiest_among(c, restrict_to_sync(c, std::move(members)), false);
}


/// Candidate list of §5.3 rule 9: old cluster + failsafe pseudo-members + current members.
inline std::optional<std::vector<std::string>> race_candidates(const cycle& c)
{
    std::vector<std::string> names;
    for (const auto& [n, url] : c.prev.old_cluster_members) names.push_back(n);
    if (c.cfg.failsafe_mode && c.cluster->failsafe && !c.cluster->failsafe->members.empty()) {
        bool listed = false;
        for (const auto& [n, url] : c.cluster->failsafe->members) {
            listed = listed || n == c.me();
            names.push_back(n);
        }
        if (!listed) return std::nullopt;
    }
    for (const auto& m : c.cluster->members) names.push_back(m.name);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

/// Patroni: Ha.is_healthiest_node (§5.3).
inline bool is_healthiest_node(cycle& c)
{
    if (c.prev.released_leader_key_at && c.in.now - *c.prev.released_leader_key_at < c.cfg.ttl) {
        PGWARDEN_MARK("race: backoff after pre_promote failure");
        return false;
    }
    const bool has_failover = !failover_empty(c);
    const bool nofailover = c.cfg.tags.is_nofailover();
    if (c.paused() && !nofailover && has_failover && !c.cluster->failover->scheduled_at) {
        if (auto r = manual_failover_no_leader(c)) return *r;
    }
    if (c.is_starting()) return false;
    if (c.is_primary()) {
        if (c.paused()) {
            const auto& init = c.cluster->initialize;
            return !init || init->empty() ||
                   (c.local->system_identifier && *init == std::to_string(*c.local->system_identifier));
        }
        const std::int64_t tl = c.cluster->timeline();
        if (tl > 0 && c.local->timeline < tl) {
            PGWARDEN_MARK("race: running primary timeline behind the cluster timeline");
            return false;
        }
        return true;
    }
    if (c.paused() || nofailover) return false;
    if (has_failover && failsafe_excludes(c, c.me())) {
        // Deliberate divergence (docs/notes/ha.md): Patroni checks /failsafe only after the
        // manual-failover branch, so a failover forced to a member missing from /failsafe
        // promotes it while the old leader may still run in failsafe mode (found by the
        // simulator's `modes` profile). §17's rule "only listed nodes may take the lock" wins.
        PGWARDEN_MARK("race: manual failover refused, not in /failsafe");
        return false;
    }
    if (has_failover) {
        const auto& fo = *c.cluster->failover;
        if (!fo.leader.empty() && sync_active(c) && !in_sync_record(c, c.me())) return false;
        return manual_failover_no_leader(c).value_or(false);
    }
    if (c.cfg.watchdog == watchdog_mode::required && !c.cfg.watchdog_usable) {
        PGWARDEN_MARK("race: watchdog device is not usable");
        return false;
    }
    auto names = race_candidates(c);
    if (!names) return false;
    if (c.cfg.synchronous_mode == sync_mode::on && sync_active(c) && !in_sync_record(c, c.me()))
        return false;
    return is_healthiest_among(c, restrict_to_sync(c, std::move(*names)), true);
}

} // namespace pgwarden::ha::detail
