// Scenario scripts (etcd/raft datadriven style), tests/sim/scenarios/*.txt.
//
// A file is a list of blocks. Each block is a command line, a `----` line,
// and the expected output up to the next blank line. Lines starting with
// `#` before a command are comments. Commands:
//
//   config key=value...   before add-nodes: backend, fresh=on (never
//                         initialized: the bootstrap race), seed, latency,
//                         write_rate, start_delay; at any time: ttl, loop_wait,
//                         retry_timeout, maximum_lag_on_failover,
//                         sync=off|on|strict|quorum|quorum-strict,
//                         synchronous_node_count, primary_start_timeout,
//                         watchdog, pause, failsafe,
//                         standby (on|off)
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
//   switchover FROM [TO] [at=30s] | failover TO   (at=: scheduled)
//   tag N key=value...    member tags (nofailover, failover_priority, nosync,
//                         sync_priority, replicatefrom, clonefrom, nostream)
//   shutdown N | start N  SIGTERM to node N's daemon / start it again
//   status | checks | dcs print the cluster / the invariant violations / the
//                         DCS keys
//
// Nodes are numbered from 1 as in their names (node1 ...).
#pragma once
#include <string>
#include <vector>

namespace pgwarden::sim {

struct scenario_outcome {
    std::vector<std::string> mismatches;   ///< "line N: <command>\nexpected:\n...\ngot:\n..."
    std::string rewritten;                 ///< the file with actual outputs
    std::string trace;                     ///< the world's last decisions, when asked for
};

/// Runs a scenario file's text. Never throws for script errors: they are
/// reported as the command's output ("error: ...").
/// `trace`: 1 keeps the decisions that changed a node's status, 2 every decision with its actions.
scenario_outcome run_scenario(const std::string& text, int trace = 0);

} // namespace pgwarden::sim
