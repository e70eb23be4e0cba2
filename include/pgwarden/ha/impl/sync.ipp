// Synchronous replication on the primary (ha-loop.md 13), history (15).
#pragma once
#include <pgwarden/ha/detail/cycle.hpp>
#include <pgwarden/ha/impl/quorum.ipp>

namespace pgwarden::ha::detail {

struct sync_row {
    std::string name;
    std::int64_t priority = 1;
    std::string sync_state;
    lsn position;
    bool nofailover = false;
};

inline bool member_nosync(const dcs::member_data& m) noexcept
{
    if (const auto* v = find_tag(m, "nosync")) return json_truthy(*v);
    if (const auto* p = find_tag(m, "sync_priority")) {
        auto n = json_int(*p);
        return n && *n <= 0;
    }
    return false;
}

/// Patroni: SyncHandler.current_state eligible rows, ordered (§13.3).
inline std::vector<sync_row> sync_rows(const cycle& c)
{
    std::vector<sync_row> rows;
    rows.reserve(c.local->replication.size());
    for (const auto& r : c.local->replication) {
        const dcs::member_record* m = nullptr;
        for (const auto& cand : c.cluster->members)
            if (iequals(cand.name, r.application_name)) m = &cand;
        if (!m || m->name == c.me() || m->data.state != "running" || member_nosync(m->data)) continue;
        if (r.flush_lsn.value == 0) continue;
        sync_row row{m->name, 1, r.sync_state, r.flush_lsn, member_nofailover(m->data)};
        if (const auto* p = find_tag(m->data, "sync_priority")) row.priority = json_int(*p).value_or(1);
        rows.push_back(std::move(row));
    }
    small_stable_sort(rows.begin(), rows.end(), [](const sync_row& a, const sync_row& b) {
        if (a.priority != b.priority) return a.priority > b.priority;
        if (a.sync_state != b.sync_state) return a.sync_state > b.sync_state;
        return a.position > b.position;
    });
    small_stable_sort(rows.begin(), rows.end(),
                      [](const sync_row& a, const sync_row& b) { return !a.nofailover && b.nofailover; });
    return rows;
}

/** Patroni: SyncHandler._ready_replicas (§13.3). A listed standby is ready (confirmed
 *  synchronous) once PostgreSQL reports it synchronous AND it flushed the primary's position of
 *  the moment the GUC change took effect: a standby that just entered the GUC reports
 *  `sync` at once, but commits acknowledged by its predecessor are not on it yet. */
inline bool sync_ready(cycle& c, const sync_row& r, bool quorum)
{
    auto& ready = c.st().sync_ready;
    if (contains_ci(ready, r.name)) return true;
    const bool state_ok = quorum ? (r.sync_state == "quorum" || r.sync_state == "sync") : r.sync_state == "sync";
    if (!state_ok || r.position < c.st().sync_flush_at_change) return false;
    ready.push_back(r.name);
    return true;
}

/// `active` and `sync_confirmed` of §13.3 (priority: confirmed = in /sync, or ready).
inline void sync_candidates(cycle& c, std::vector<std::string>& active, std::vector<std::string>& confirmed)
{
    const auto rows = sync_rows(c);
    lsn max_lsn = c.local->write_lsn;
    if (rows.size() >= 2)
        for (const auto& r : rows) max_lsn = std::max(max_lsn, r.position);
    const auto wanted = static_cast<std::size_t>(std::max(c.cfg.synchronous_node_count, 1));
    const bool quorum = c.cfg.synchronous_mode == sync_mode::quorum;
    for (const auto& r : rows) {
        const auto lag = max_lsn.value - std::min(max_lsn.value, r.position.value);
        if (c.cfg.maximum_lag_on_syncnode > 0 && lag > static_cast<std::uint64_t>(c.cfg.maximum_lag_on_syncnode))
            continue;
        if (quorum) {
            if (!r.nofailover || active.size() < wanted) active.push_back(r.name);
            if (sync_ready(c, r, true)) confirmed.push_back(r.name);
            continue;
        }
        active.push_back(r.name);
        const bool published = c.cluster->sync && contains_ci(c.cluster->sync->sync_standby, r.name);
        if (published || sync_ready(c, r, false)) confirmed.push_back(r.name);
        if (active.size() >= wanted) break;
    }
    std::sort(active.begin(), active.end());
    std::sort(confirmed.begin(), confirmed.end());
}

inline void set_guc(cycle& c, pg::sync_names names)
{
    std::sort(names.names.begin(), names.names.end());
    const auto& cur = c.st().sync_guc;
    if (cur && cur->names == names.names && cur->count == names.count && cur->quorum == names.quorum &&
        cur->strict_placeholder == names.strict_placeholder)
        return;
    // Readiness is judged against the primary's position once the new value is in force: the
    // next cycle remembers it (decide.ipp, settle_sync_guc); until then nobody becomes ready.
    c.st().sync_flush_at_change = lsn{~std::uint64_t{0}};
    c.st().sync_guc = names;
    c.emit(pg_set_sync_standbys{std::move(names)});
}

inline dcs::sync_record sync_value(const cycle& c, std::vector<std::string> voters, std::int64_t quorum)
{
    dcs::sync_record r;
    r.leader = c.me();
    std::sort(voters.begin(), voters.end());
    r.sync_standby = std::move(voters);
    r.quorum = quorum;
    return r;
}

/// The strict-mode guard (§13.4). True: stop processing this cycle.
inline bool strict_guard(cycle& c, const std::vector<std::string>& active, const std::vector<std::string>& voters)
{
    if (!c.cfg.synchronous_mode_strict || !active.empty()) return false;
    PGWARDEN_MARK("sync: strict mode without active standbys");
    const bool quorum = c.cfg.synchronous_mode == sync_mode::quorum;
    const std::int64_t q = quorum ? c.cluster->sync->quorum : 0;
    pg::sync_names n{quorum, static_cast<int>(std::max<std::int64_t>(1, std::int64_t(voters.size()) - q)),
                     voters, voters.empty()};
    set_guc(c, std::move(n));
    return true;
}

/** Patroni: Ha._process_quorum_replication (§13.8). The resolver's steps are
 *  applied in order up to the first `restart` or the second /sync write (a
 *  chained CAS needs the version of the first): the resolver resumes from any
 *  intermediate state, so the next cycle continues. */
inline void process_quorum(cycle& c, const dcs::sync_record& cur, const std::vector<std::string>& active,
                           const std::vector<std::string>& confirmed)
{
    if (iequals(cur.leader, c.me()) && strict_guard(c, active, cur.sync_standby)) return;
    quorum_resolver r;
    r.leader = cur.leader;
    r.quorum = cur.quorum;
    r.voters = set_of(cur.sync_standby);
    const auto& guc = c.st().sync_guc;
    if (guc && !guc->strict_placeholder) {
        r.sync = set_of(guc->names);
        r.numsync = guc->count;
    }
    r.numsync_confirmed = static_cast<std::int64_t>(confirmed.size());
    r.active = set_of(active);
    r.sync_wanted = std::max(c.cfg.synchronous_node_count, 1);
    r.leader_wanted = c.me();
    auto steps = r.resolve();
    if (!steps) {
        PGWARDEN_MARK("sync: quorum state is broken");
        return;
    }
    bool wrote = false;
    for (const auto& s : *steps) {
        if (s.kind == quorum_step::restart) break;
        if (s.kind == quorum_step::sync) {
            set_guc(c, guc_value(true, static_cast<int>(s.num), s.names, false));
            continue;
        }
        if (wrote) break;
        auto value = sync_value(c, s.names, s.num);
        value.leader = s.leader;
        c.emit(write_sync{std::move(value), cur.version});
        wrote = true;
    }
    if (steps->empty() && guc && !guc->quorum) set_guc(c, guc_value(true, guc->count, guc->names, false));
}

/// Patroni: Ha.process_sync_replication (§13.5 with one /sync write per cycle, §13.8).
inline void process_sync_replication(cycle& c)
{
    if (c.cfg.synchronous_mode == sync_mode::off || c.standby_cluster()) {
        if (c.cluster->sync && !c.cluster->sync->empty()) c.emit(delete_sync{c.cluster->sync->version});
        if (c.st().sync_guc) set_guc(c, pg::sync_names{});
        return;
    }
    const auto* cur = c.cluster->sync ? &*c.cluster->sync : nullptr;
    const bool quorum_mode = c.cfg.synchronous_mode == sync_mode::quorum;
    if (!cur || cur->empty() || (!quorum_mode && !iequals(cur->leader, c.me()))) {
        PGWARDEN_MARK("sync: enabled synchronous replication");
        c.emit(write_sync{sync_value(c, {}, 0), cur ? cur->version : 0});
        return;
    }
    std::vector<std::string> active, confirmed;
    sync_candidates(c, active, confirmed);
    if (c.cfg.synchronous_mode == sync_mode::quorum) return process_quorum(c, *cur, active, confirmed);
    std::vector<std::string> voters = cur->sync_standby;
    std::sort(voters.begin(), voters.end());
    if (strict_guard(c, active, voters)) return;
    const bool quorum = c.cfg.synchronous_mode == sync_mode::quorum;
    std::vector<std::string> common;
    for (const auto& v : voters)
        if (contains_ci(confirmed, v) && contains_ci(active, v)) common.push_back(v);
    if (common != voters) {   // unpublish first, remove from the GUC later
        c.emit(write_sync{sync_value(c, common, 0), cur->version});
        return;
    }
    const int n = quorum ? std::min(c.cfg.synchronous_node_count, int(active.size())) : int(active.size());
    set_guc(c, guc_value(quorum, n, active, false));
    std::vector<std::string> allow;
    for (const auto& a : confirmed)
        if (contains_ci(active, a)) allow.push_back(a);
    const std::int64_t q = quorum ? std::max<std::int64_t>(0, std::int64_t(allow.size()) - n) : 0;
    if (!allow.empty() && (allow != voters || q != cur->quorum))
        c.emit(write_sync{sync_value(c, allow, q), cur->version});
}

/// Patroni: Ha.process_sync_replication_prepromote (§13.6). False: the /sync write may lose the CAS.
inline void sync_before_promote(cycle& c)
{
    if (c.cfg.synchronous_mode == sync_mode::off || c.standby_cluster()) {
        if (c.cluster->sync && !c.cluster->sync->empty()) c.emit(delete_sync{c.cluster->sync->version});
        return;
    }
    const auto* cur = c.cluster->sync ? &*c.cluster->sync : nullptr;
    std::vector<std::string> names;
    if (cur && !cur->empty()) {
        names = cur->sync_standby;
        names.push_back(cur->leader);
    }
    std::erase_if(names, [&](const std::string& n) { return iequals(n, c.me()); });
    if (c.cfg.synchronous_mode == sync_mode::quorum) {
        const std::int64_t q = quorum_active(c) ? cur->quorum : 0;
        std::int64_t n = std::int64_t(names.size()) - q;
        n = std::max<std::int64_t>(n, c.cfg.synchronous_mode_strict ? 1 : 0);
        set_guc(c, guc_value(true, static_cast<int>(n), names, names.empty() && n > 0));
        return;
    }
    if (!c.cfg.synchronous_mode_strict) names.clear();
    c.emit(write_sync{sync_value(c, names, 0), cur ? cur->version : 0});
    const bool placeholder = c.cfg.synchronous_mode_strict && names.empty();
    set_guc(c, guc_value(false, placeholder ? 1 : int(names.size()), names, placeholder));
}

/// Patroni: Ha.update_cluster_history (§15), from the local history file the engine supplied.
inline void update_history(cycle& c)
{
    const std::int64_t tl = c.local->timeline;
    const auto* h = c.cluster->history ? &*c.cluster->history : nullptr;
    if (tl <= 1) {
        if (tl == 1 && h && !h->lines.empty()) c.emit(write_history{});
        return;
    }
    const bool current = h && !h->lines.empty() && h->lines.back().parent_timeline == tl - 1 &&
                         h->lines.back().timestamp && h->lines.back().new_leader;
    if (current || c.in.facts.timeline_history.empty()) return;
    auto lines = c.in.facts.timeline_history;
    for (auto& l : lines) {
        if (l.timestamp || !h) continue;
        for (const auto& old : h->lines)
            if (old.parent_timeline == l.parent_timeline && old.switch_lsn == l.switch_lsn) {
                l.timestamp = old.timestamp;
                l.new_leader = old.new_leader;
            }
    }
    if (lines.back().parent_timeline == tl - 1) lines.back().new_leader = c.me();
    if (c.cfg.max_timelines_history > 0 && c.cluster->config &&
        std::int64_t(lines.size()) > c.cfg.max_timelines_history)
        lines.erase(lines.begin(), lines.end() - c.cfg.max_timelines_history);
    PGWARDEN_MARK("history: updated");
    c.emit(write_history{std::move(lines)});
}

} // namespace pgwarden::ha::detail
