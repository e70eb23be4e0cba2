// Scenario scripts (etcd/raft datadriven style), tests/sim/scenarios/*.txt.
//
// A file is a list of blocks. Each block is a command line, a `----` line,
// and the expected output up to the next blank line. Lines starting with
// `#` before a command are comments. Commands:
//
//   config key=value...   before add-nodes: backend, nodes' knobs, seed,
//                         latency; afterwards: ttl/loop_wait/retry_timeout/...
//   add-nodes N           create the world with N nodes (or add N nodes)
//   partition N dcs|dcs-replies|peers     cut node N off (one-way for replies)
//   heal [N]              end every fault (or node N's links)
//   outage | outage-end   the whole DCS goes down / comes back
//   pause N 40s           freeze node N's pgwarden process
//   crash N [30s]         the machine dies, restarts after the delay
//   pg-crash N | pg-hang N | pg-unhang N
//   lag N RATE            node N replays at most RATE bytes/s (0: unlimited)
//   tick 10s              advance virtual time
//   stabilize             run until converged (bounded), print how long
//   switchover FROM [TO] | failover TO
//   status | checks       print the cluster / the invariant violations
//
// Nodes are numbered from 1 as in their names (node1 ...).
#pragma once
#include <string>
#include <vector>

namespace pgwarden::sim {

struct scenario_outcome {
    std::vector<std::string> mismatches;   ///< "line N: <command>\nexpected:\n...\ngot:\n..."
    std::string rewritten;                 ///< the file with actual outputs
};

/// Runs a scenario file's text. Never throws for script errors: they are
/// reported as the command's output ("error: ...").
scenario_outcome run_scenario(const std::string& text);

} // namespace pgwarden::sim
