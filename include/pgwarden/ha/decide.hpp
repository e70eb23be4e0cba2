// The HA core: one pure, synchronous, deterministic function per HA cycle
// (STYLE.md 3; Patroni: Ha.run_cycle / Ha._run_cycle).
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/ha/action.hpp>
#include <pgwarden/ha/inputs.hpp>
#include <pgwarden/ha/state.hpp>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pgwarden::ha {

/** The result of one cycle: the next state, the actions to perform in order,
 *  and the status message Patroni would log at INFO (ha-loop.md 4, exact).
 *
 *  Invariants:
 *  - is_legal(previous.role, next.role);
 *  - every prefix of `actions` is safe to execute alone;
 *  - pg_promote appears only after an acquire_leader or renew_leader in the same list,
 *    or when the lock was held at the snapshot.
 */
struct transition {
    ha_state next;
    std::vector<action> actions;
    std::string reason;
};

/** Decides one HA cycle.
 *
 *  Pure: reads only its arguments; no clock, RNG, I/O or logging.
 *  @pre `in.config != nullptr`.
 *  @post see transition's invariants.
 *  @see https://github.com/patroni/patroni/blob/master/patroni/ha.py
 */
[[nodiscard]] PGWARDEN_DECL transition decide(const ha_state& state, const inputs& in) noexcept;

/** The same decision, written into `out` (whatever it held is replaced), so that a caller
 *  deciding in a loop reuses the buffers of its strings and vectors. `out` must not alias
 *  `state` or anything `in` refers to. `decide(s, in)` is exactly `transition t;
 *  decide_into(s, in, t); return t;`.
 */
PGWARDEN_DECL void decide_into(const ha_state& state, const inputs& in, transition& out) noexcept;

/** With a shutdown requested (inputs::requests.shutdown), whether this transition ends it
 *  (ha-loop.md 21): it stops PostgreSQL, or leaves it running ("shutting down, PostgreSQL left
 *  running", also behind the "PAUSE: " prefix). Otherwise decide waits (for the primary to
 *  release this node from synchronous duty) and the caller decides again shortly. */
[[nodiscard]] inline bool ends_shutdown(const transition& t) noexcept
{
    for (const auto& a : t.actions)
        if (std::holds_alternative<pg_stop>(a)) return true;
    std::string_view r = t.reason;
    if (r.starts_with("PAUSE: ")) r.remove_prefix(7);
    return r.starts_with("shutting down");
}

} // namespace pgwarden::ha

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/ha/impl/decide.ipp>
#endif
