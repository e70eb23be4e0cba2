// The role-transition table (pg_auto_failover style, STYLE.md 3 rule 6).
// decide() may change ha_state::role only along an edge listed here; a test
// asserts it for every decide() result, and renders docs/design/transitions.md.
#pragma once
#include <pgwarden/ha/state.hpp>

#include <array>
#include <string_view>

namespace pgwarden::ha {

/// One legal edge with the Patroni path that takes it.
struct role_edge {
    node_role from;
    node_role to;
    std::string_view why;
};

/// The text Patroni writes for a role (4.x spelling; `master` is the 3.0.2 form of `primary`).
constexpr std::string_view role_name(node_role r) noexcept
{
    switch (r) {
    case node_role::uninitialized: return "uninitialized";
    case node_role::primary: return "primary";
    case node_role::replica: return "replica";
    case node_role::standby_leader: return "standby_leader";
    case node_role::demoted: return "demoted";
    case node_role::promoted: return "promoted";
    }
    return "unknown";
}

namespace detail {
using R = node_role;
} // namespace detail

/// Every role change decide() may make. Staying in the same role is always legal.
inline constexpr std::array role_edges{
    role_edge{detail::R::uninitialized, detail::R::primary, "bootstrap finished: initialized a new cluster"},
    role_edge{detail::R::uninitialized, detail::R::replica, "replica created (clone) and started"},
    role_edge{detail::R::uninitialized, detail::R::demoted, "start-up: data directory of a stopped primary (role seeding)"},
    role_edge{detail::R::uninitialized, detail::R::standby_leader, "standby leader bootstrapped from the remote primary"},
    role_edge{detail::R::replica, detail::R::promoted, "pg_promote after acquiring the lock"},
    role_edge{detail::R::replica, detail::R::primary, "found running as primary (not in recovery)"},
    role_edge{detail::R::replica, detail::R::standby_leader, "holds the lock in a standby cluster"},
    role_edge{detail::R::replica, detail::R::demoted, "demotion of a lock holder still in recovery (start timeout, lost lock)"},
    role_edge{detail::R::replica, detail::R::uninitialized, "data directory empty or wiped (reinitialize)"},
    role_edge{detail::R::promoted, detail::R::primary, "promotion confirmed (not in recovery)"},
    role_edge{detail::R::promoted, detail::R::demoted, "lost the lock during/after promote: demote"},
    role_edge{detail::R::promoted, detail::R::replica, "promotion never happened: follow again"},
    role_edge{detail::R::promoted, detail::R::uninitialized, "data directory empty"},
    role_edge{detail::R::promoted, detail::R::standby_leader, "cluster turned into a standby cluster while promoting"},
    role_edge{detail::R::primary, detail::R::demoted, "demotion (any mode) or failed start of the lock holder"},
    role_edge{detail::R::primary, detail::R::replica, "restarted as a replica after demotion"},
    role_edge{detail::R::primary, detail::R::standby_leader, "demote-cluster kept the lock"},
    role_edge{detail::R::primary, detail::R::uninitialized, "data directory empty"},
    role_edge{detail::R::demoted, detail::R::replica, "started after demotion / crash as a replica"},
    role_edge{detail::R::demoted, detail::R::primary, "running as primary again (paused, or start after failure)"},
    role_edge{detail::R::demoted, detail::R::promoted, "won the race after a demotion"},
    role_edge{detail::R::demoted, detail::R::standby_leader, "standby cluster lock holder restarted"},
    role_edge{detail::R::demoted, detail::R::uninitialized, "data directory empty or wiped"},
    role_edge{detail::R::standby_leader, detail::R::replica, "lost the standby leader lock"},
    role_edge{detail::R::standby_leader, detail::R::promoted, "standby cluster turned into a normal cluster"},
    role_edge{detail::R::standby_leader, detail::R::demoted, "failed start of the standby leader"},
    role_edge{detail::R::standby_leader, detail::R::uninitialized, "data directory empty"},
    role_edge{detail::R::standby_leader, detail::R::primary, "found running as primary"},
};

/// True when decide() may move the role from `from` to `to`.
constexpr bool is_legal(node_role from, node_role to) noexcept
{
    if (from == to) return true;
    for (const auto& e : role_edges)
        if (e.from == from && e.to == to) return true;
    return false;
}

} // namespace pgwarden::ha
