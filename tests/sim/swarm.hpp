// The swarm driver (TigerBeetle VOPR / options_swarm): each seed first
// draws a fault profile (backend, node count, knobs inside the validator's
// bounds, which fault kinds are enabled and how often), then runs a safety
// phase of random faults, heals, and requires convergence within a bound
// derived from ttl + loop_wait + retry_timeout.
#pragma once
#include "sim.hpp"
#include "world.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pgwarden::sim {

/// Exit codes of pgwarden-sim (STYLE.md 4).
enum class verdict : int { pass = 0, crash = 127, liveness = 128, correctness = 129 };

/// Fault kinds a profile may enable.
enum fault_kind : unsigned {
    f_crash = 1u << 0, f_pause = 1u << 1, f_pg_crash = 1u << 2, f_pg_hang = 1u << 3,
    f_partition = 1u << 4, f_one_way = 1u << 5, f_outage = 1u << 6, f_isolate = 1u << 7,
    f_lag = 1u << 8, f_switchover = 1u << 9, f_failover = 1u << 10, f_knobs = 1u << 11,
    f_clock_jump = 1u << 12, f_all = (1u << 13) - 1,
    // Only in the `modes` profile (the swarm profile draws from f_all alone, so its seeds keep
    // their meaning): maintenance mode toggled, a daemon shut down and started again.
    f_pause_mode = 1u << 13, f_shutdown = 1u << 14, f_all_modes = (1u << 15) - 1,
};

struct fault_profile {
    std::string name = "swarm";
    world_options world;
    unsigned faults = 0;                ///< fault_kind bits
    vtime safety_ms = 0;                ///< length of the random-fault phase
    vtime mean_gap_ms = 0;              ///< mean time between two faults
    /// Member tags set before the run (the `modes` profile): index = node.
    std::vector<ha::node_tags> tags;

    /** Draws the profile of `seed`. Named profiles restrict the fault kinds:
     *  swarm (all), calm (none), crash, partition, pause, switchover, lag, and modes: every
     *  fault kind plus the cluster modes (quorum and strict synchronous replication, failsafe,
     *  standby cluster, member tags, maintenance mode, shutdowns, scheduled switchovers).
     *  Returns nullopt for an unknown name.
     */
    static std::optional<fault_profile> draw(std::uint64_t seed, const std::string& name,
                                             std::optional<int> nodes);
    std::string describe() const;
};

struct run_result {
    verdict code = verdict::pass;
    std::string profile;
    std::string detail;                 ///< violations or the liveness reason
    std::string trace;
    std::uint64_t node_cycles = 0;
    std::uint64_t events = 0;
};

/// Runs one seed. `decider` = nullptr runs ha::decide unchanged.
run_result run_seed(std::uint64_t seed, const fault_profile& profile, brain* decider = nullptr);

/// The names draw() accepts.
const std::vector<std::string>& profile_names();

} // namespace pgwarden::sim
