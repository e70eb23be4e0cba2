// The working context of one decide() call and its pure predicate leaves.
// Private to ha/impl (STYLE.md 1: detail/ is private).
#pragma once
#include <pgwarden/core/mark.hpp>
#include <pgwarden/ha/decide.hpp>
#include <pgwarden/ha/transitions.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgwarden::ha::detail {

/// Query actions make the engine answer and call decide again (STYLE.md 3 rule 3).
enum class query { none, peers, failsafe_post, divergence };

/** One HA cycle in progress: the arguments, the transition being built and
 *  the facts learnt so far in this cycle (Patroni keeps those in self.*). */
struct cycle {
    const ha_state& prev;
    const inputs& in;
    const ha_config& cfg;
    const dcs::cluster_snapshot* cluster = nullptr;   ///< null: DCS unavailable
    const pg::local_pg_state* local = nullptr;        ///< null: probe failed
    transition& t;                   ///< being built (decide_into's `out`)
    /// The leader name as seen this cycle (failsafe injection applied, §17).
    std::optional<std::string> leader;
    bool lock_held = false;          ///< Patroni: has_lock(), updated by our own writes
    bool dcs_failed = false;
    bool member_published = false;   ///< the cycle already wrote its final member key
    bool want_checkpoint = false;    ///< post-promote CHECKPOINT, appended last (it may fail)
    query pending_query = query::none;
    std::optional<pg::follow_target> divergence_target;
    /// The buffer of the caller's previous message: the first concat(std::move(spare), ...)
    /// builds this cycle's message in it instead of allocating.
    std::string spare;

    cycle(const ha_state& p, const inputs& i, const ha_config& c, transition& out) noexcept
        : prev(p), in(i), cfg(c), t(out) {}

    ha_state& st() noexcept { return t.next; }
    const ha_state& st() const noexcept { return t.next; }
    void emit(action a) { t.actions.push_back(std::move(a)); }
    const std::string& me() const noexcept { return cfg.name; }
    bool paused() const noexcept { return cfg.pause; }
    bool standby_cluster() const noexcept { return cfg.is_standby_cluster(); }
    bool unlocked() const noexcept { return !leader.has_value(); }
    bool is_running() const noexcept { return local && local->running; }
    bool is_primary() const noexcept { return is_running() && !local->in_recovery; }
    bool is_starting() const noexcept { return is_running() && !local->accepting_connections; }
    bool busy() const noexcept { return in.background.has_value(); }
    bool is_leader() const noexcept { return prev.leader_until && *prev.leader_until > in.now; }
    /// Asks the engine for an answer; the rest of this decide() is discarded.
    void ask(query q) noexcept
    {
        if (pending_query == query::none) pending_query = q;
    }
};

// ---- small pure leaves ------------------------------------------------------

/// Concatenation with one allocation (the per-cycle messages are built on the hot path).
inline std::string concat(std::initializer_list<std::string_view> parts)
{
    std::size_t n = 0;
    for (const auto p : parts) n += p.size();
    std::string out;
    out.reserve(n);
    for (const auto p : parts) out.append(p);
    return out;
}

/// The same text, built in `buffer`'s storage (cycle::spare): no allocation when it is large enough.
inline std::string concat(std::string&& buffer, std::initializer_list<std::string_view> parts)
{
    std::size_t n = 0;
    for (const auto p : parts) n += p.size();
    std::string out = std::move(buffer);
    out.clear();
    out.reserve(n);
    for (const auto p : parts) out.append(p);
    return out;
}

/** A stable sort for the few rows decide() orders (one per standby): the same result as
 *  std::stable_sort (a stable sort's output is unique), without its temporary buffer. */
template <class It, class Less>
void small_stable_sort(It first, It last, Less less)
{
    if (first == last) return;
    for (It i = std::next(first); i != last; ++i) {
        if (!less(*i, *std::prev(i))) continue;   // already in place: equal elements keep their order
        auto moving = std::move(*i);
        It j = i;
        do {
            *j = std::move(*std::prev(j));
            --j;
        } while (j != first && less(moving, *std::prev(j)));
        *j = std::move(moving);
    }
}

inline bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char ch) { return (ch >= 'A' && ch <= 'Z') ? char(ch - 'A' + 'a') : ch; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

inline bool contains_ci(const std::vector<std::string>& v, std::string_view name) noexcept
{
    return std::any_of(v.begin(), v.end(), [&](const std::string& s) { return iequals(s, name); });
}

/// "%.0f" of a duration in seconds (round half to even, as printf does).
inline std::string seconds_text(milliseconds d)
{
    const bool neg = d.count() < 0;
    std::int64_t ms = neg ? -d.count() : d.count();
    std::int64_t whole = ms / 1000, frac = ms % 1000;
    if (frac > 500 || (frac == 500 && (whole % 2) == 1)) ++whole;
    return (neg && whole != 0 ? "-" : "") + std::to_string(whole);
}

/// The JSON text of a tag value read as Python truthiness (dcs.md 2.2.3).
inline bool json_truthy(std::string_view v) noexcept
{
    return !(v.empty() || v == "false" || v == "null" || v == "0" || v == "\"\"" || v == "0.0" ||
             v == "[]" || v == "{}");
}

inline std::optional<std::int64_t> json_int(std::string_view v) noexcept
{
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.empty()) return std::nullopt;
    bool neg = v.front() == '-';
    if (neg || v.front() == '+') v.remove_prefix(1);
    if (v.empty() || v.size() > 18) return std::nullopt;
    std::int64_t out = 0;
    for (char ch : v) {
        if (ch < '0' || ch > '9') return std::nullopt;
        out = out * 10 + (ch - '0');
    }
    return neg ? -out : out;
}

inline const std::string* find_tag(const dcs::member_data& m, std::string_view key) noexcept
{
    for (const auto& [k, v] : m.tags)
        if (k == key) return &v;
    return nullptr;
}

/// The reader rule for a member's nofailover (dcs.md 2.2.3).
inline bool member_nofailover(const dcs::member_data& m) noexcept
{
    if (const auto* v = find_tag(m, "nofailover")) return json_truthy(*v);
    if (const auto* p = find_tag(m, "failover_priority")) {
        auto n = json_int(*p);
        return n && *n <= 0;
    }
    return false;
}

inline bool member_nostream(const dcs::member_data& m) noexcept
{
    const auto* v = find_tag(m, "nostream");
    return v && json_truthy(*v);
}

/// Own WAL position: primary flush LSN, standby max(receive, replay) (§5.4 step 2).
inline lsn wal_position(const pg::local_pg_state& l) noexcept
{
    if (!l.in_recovery) return l.write_lsn;
    return std::max(l.receive_lsn, l.replay_lsn);
}

/// The leader's last published WAL position (`/status` optime, else legacy `optime/leader`).
inline lsn cluster_optime(const dcs::cluster_snapshot& s) noexcept
{
    if (s.status) return s.status->optime;
    return s.legacy_optime.value_or(lsn{});
}

/// "Sync mode active" (§13.1): requested, not a standby cluster, and /sync has a leader.
inline bool sync_active(const cycle& c) noexcept
{
    return c.cfg.synchronous_mode != sync_mode::off && !c.standby_cluster() && c.cluster &&
           c.cluster->sync && !c.cluster->sync->empty();
}

inline bool quorum_active(const cycle& c) noexcept
{
    return sync_active(c) && c.cfg.synchronous_mode == sync_mode::quorum;
}

/// Name in /sync voters or its leader (case-insensitive, 4.x).
inline bool in_sync_record(const cycle& c, std::string_view name) noexcept
{
    if (!c.cluster || !c.cluster->sync) return false;
    const auto& s = *c.cluster->sync;
    return iequals(s.leader, name) || contains_ci(s.sync_standby, name);
}

/// A synchronous_standby_names request, built by field (pg/model.hpp may grow).
inline pg::sync_names guc_value(bool quorum, std::int64_t count, std::vector<std::string> names, bool placeholder)
{
    pg::sync_names n;
    n.quorum = quorum;
    n.count = static_cast<int>(count);
    n.names = std::move(names);
    n.strict_placeholder = placeholder;
    return n;
}

/// Patroni: Rewind.trigger_check_diverged_lsn.
inline void trigger_divergence_check(cycle& c) noexcept
{
    const bool allowed = c.in.facts.pg_rewind_usable || c.cfg.remove_data_directory_on_diverged_timelines;
    if (allowed && c.st().rewind != rewind_state::need) c.st().rewind = rewind_state::check;
}

inline bool failover_empty(const cycle& c) noexcept
{
    return !c.cluster || !c.cluster->failover || c.cluster->failover->empty();
}

/// Patroni: slot_name_from_member_name: lower-case; `-` and `.` become `_`,
/// other characters outside [a-z0-9_] become `u%04d` of their byte; at most 63 bytes.
inline std::string slot_name_for(std::string_view member)
{
    // The usual name is already a valid slot name: one copy instead of a push_back per byte.
    const bool plain = member.size() <= 63 && std::all_of(member.begin(), member.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
    });
    if (plain) return std::string(member);
    std::string out;
    for (char ch : member) {
        char l = (ch >= 'A' && ch <= 'Z') ? char(ch - 'A' + 'a') : ch;
        if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_') {
            out.push_back(l);
        } else if (l == '-' || l == '.') {
            out.push_back('_');
        } else {
            std::string code = std::to_string(static_cast<unsigned char>(l));
            out += 'u' + std::string(4 - std::min<std::size_t>(4, code.size()), '0') + code;
        }
    }
    if (out.size() > 63) out.resize(63);
    return out;
}

} // namespace pgwarden::ha::detail
