// Manual failover / switchover on the leader (ha-loop.md 7.2) and scheduled actions.
#pragma once
#include <pgwarden/ha/detail/cycle.hpp>

namespace pgwarden::ha::detail {

/** Parses Python's datetime.isoformat() output with an offset
 *  (`YYYY-MM-DDTHH:MM:SS[.ffffff](+HH:MM|Z)`). nullopt: malformed or naive. */
inline std::optional<wall_time> parse_iso8601(std::string_view s) noexcept
{
    auto num = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
        if (pos + len > s.size()) return std::nullopt;
        int v = 0;
        for (std::size_t i = pos; i < pos + len; ++i) {
            if (s[i] < '0' || s[i] > '9') return std::nullopt;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), se = num(17, 2);
    if (!y || !mo || !d || !h || !mi || !se || s.size() < 19 || (s[10] != 'T' && s[10] != ' ')) return std::nullopt;
    std::size_t pos = 19;
    int ms = 0;
    if (pos < s.size() && s[pos] == '.') {
        std::size_t digits = 0;
        for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++digits)
            if (digits < 3) ms = ms * 10 + (s[pos] - '0');
        for (; digits < 3; ++digits) ms *= 10;
    }
    if (pos >= s.size()) return std::nullopt;   // naive timestamp
    int offset_min = 0;
    if (s[pos] != 'Z') {
        auto oh = num(pos + 1, 2), om = num(pos + 4, 2);
        if ((s[pos] != '+' && s[pos] != '-') || !oh || !om) return std::nullopt;
        offset_min = (*oh * 60 + *om) * (s[pos] == '-' ? -1 : 1);
    }
    using namespace std::chrono;
    const year_month_day ymd{year{*y}, month{unsigned(*mo)}, day{unsigned(*d)}};
    if (!ymd.ok()) return std::nullopt;
    return wall_time{sys_days{ymd}} + hours{*h} + minutes{*mi} + seconds{*se} + milliseconds{ms} -
           minutes{offset_min};
}

/// Patroni: Ha.should_run_scheduled_action. Deliberate divergence: instead of
/// sleeping up to loop_wait, the action runs in the first cycle at or after its time.
inline bool should_run_scheduled(cycle& c, const std::string& at, bool& cleanup)
{
    cleanup = false;
    auto when = parse_iso8601(at);
    if (!when) {
        cleanup = true;
        return false;
    }
    const auto delta = *when - c.in.wall_now;
    const auto stale = -milliseconds(c.cfg.loop_wait.count() * 1500);
    if (delta > milliseconds(0)) return false;   // "Awaiting <action> at <T>"
    if (delta < stale) {
        PGWARDEN_MARK("scheduled action: stale, cleaning up");
        cleanup = true;
        return false;
    }
    return true;
}

/// Patroni: Ha.process_manual_failover_from_leader (§7.2). A message iff a demotion started.
inline std::optional<std::string> manual_failover_from_leader(cycle& c)
{
    if (failover_empty(c) || (c.paused() && !c.is_primary())) return std::nullopt;
    const auto& fo = *c.cluster->failover;
    if (fo.scheduled_at) {
        if (c.paused()) return std::nullopt;   // scheduled actions never run while paused
        bool cleanup = false;
        if (!should_run_scheduled(c, *fo.scheduled_at, cleanup)) {
            if (cleanup) c.emit(clear_failover{fo.version});
            return std::nullopt;
        }
    }
    const std::string action = fo.leader.empty() ? "manual failover" : "switchover";
    if (fo.leader.empty() || fo.leader == c.me()) {
        if (fo.member.empty() || fo.member != c.me()) {
            if (fo.member.empty() && c.paused()) {
                PGWARDEN_MARK("manual failover: paused without a candidate");
            } else if (is_failover_possible(c, false)) {
                PGWARDEN_MARK("manual failover: demoting the leader");
                c.emit(begin_background{action + ": demote"});
                demote(c, demote_mode::graceful);
                return action + ": demoting myself";
            } else {
                PGWARDEN_MARK("manual failover: no healthy members");
            }
        }
    }
    c.emit(clear_failover{fo.version});   // "Cleaning up failover key"
    return std::nullopt;
}

} // namespace pgwarden::ha::detail
