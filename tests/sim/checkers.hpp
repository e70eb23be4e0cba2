// The safety checkers (STYLE.md 4, docs/design/invariants.md). The world
// reports facts at their linearization points; the checker records every
// violation with the virtual time it happened.
//
//   S1 no two nodes accept writes at the same time, beyond the backend's
//      lease allowance (0, except Consul: a session may outlive its TTL);
//   S2 a promotion (or a start as primary) happens only while the node holds
//      the leader key at the DCS linearization point, and never in a standby
//      cluster;
//   S3 every promotion creates a timeline higher than any created before;
//   S4 with synchronous_mode_strict, the new primary holds every
//      acknowledged commit;
//   S5 an automatic promotion is never beyond maximum_lag_on_failover.
#pragma once
#include <algorithm>
#include "sim.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pgwarden::sim {

struct violation {
    std::string code;                   ///< S1..S5
    vtime at = 0;
    std::string text;
};

/// What the world knows at the instant a node promotes.
struct promotion_fact {
    int node = -1;
    std::string name;
    vtime at = 0;
    int holder = -1;                    ///< leader key holder under true time
    std::int64_t new_timeline = 0;
    std::uint64_t position = 0;         ///< WAL position at promotion
    std::optional<std::uint64_t> leader_optime;   ///< /status optime last written by a leader
    std::uint64_t maximum_lag = 0;
    bool manual = false;                ///< /failover is non-empty: Patroni skips the lag check (ha-loop.md 7.3)
    bool chosen = false;                ///< /failover names this node: the operator's pick, exempt from S3
    /** A failover (no leader in /failover) to this very node: Patroni promotes it without any
     *  check (manual_failover_process_no_leader returns True), even outside /sync: exempt from S4. */
    bool forced = false;
    bool strict = false;
    bool has_acknowledged = true;       ///< contains the last acknowledged commit
};

class checker {
public:
    explicit checker(vtime s1_allowance_ms = 0) : s1_allowance_ms_(s1_allowance_ms) {}
    /// Raise the S1 allowance (Consul: ttl/2 of the largest ttl in force, see docs/notes/sim.md).
    void widen_s1_allowance(vtime ms) noexcept { s1_allowance_ms_ = std::max(s1_allowance_ms_, ms); }

    /// After every event: the nodes whose PostgreSQL accepts writes now.
    void writers(vtime now, const std::vector<int>& accepting);
    void promoted(const promotion_fact& p);
    /// PostgreSQL started as a primary (no new timeline): S2 only.
    void started_primary(int node, const std::string& name, vtime at, int holder);
    /// A member of a standby cluster became a primary (S2: only the remote side may write).
    void primary_in_standby_cluster(const std::string& name, vtime at);

    const std::vector<violation>& violations() const noexcept { return violations_; }
    bool ok() const noexcept { return violations_.empty(); }
    std::int64_t highest_promoted_timeline() const noexcept { return highest_tli_; }
    /** The primary that created timeline `number` lost its PostgreSQL (crash, stop) before the
     *  timeline reached /history: no HA rule can know it (check_timeline reads /history), so
     *  the next promotion may reuse the number, as Patroni + PostgreSQL do (docs/notes/sim.md). */
    void abandoned(std::int64_t number) noexcept
    {
        if (number == highest_tli_) highest_tli_ = number - 1;
    }

private:
    void add(std::string code, vtime at, std::string text);

    vtime s1_allowance_ms_;
    std::optional<vtime> overlap_since_;
    bool overlap_reported_ = false;
    std::int64_t highest_tli_ = 1;
    std::vector<violation> violations_;
};

} // namespace pgwarden::sim
