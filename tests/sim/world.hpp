// sim::world: the level-1 core simulation (STYLE.md 4, docs/design/simulation.md).
//
// One world owns virtual time, an event queue ordered by (time, sequence
// number), a fake DCS, and N nodes, each with an ha_state, a fake
// PostgreSQL, a fake watchdog and a skewed clock. A node's cycle follows
// ha::engine: read the DCS (or fail after retry_timeout), probe PostgreSQL,
// call decide, perform the actions one event at a time with simulated
// latency, stop at the first failure and feed it back, run a background
// list beside the loop, and sleep until the next loop or a leader-key
// watch event. Nothing here reads a real clock or starts a thread.
#pragma once
#include "checkers.hpp"
#include "event_queue.hpp"
#include "fake_clock.hpp"
#include "fake_dcs.hpp"
#include "fake_pg.hpp"
#include "fake_watchdog.hpp"
#include "sim.hpp"

#include <pgwarden/core/rng.hpp>
#include <pgwarden/ha/decide.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

namespace pgwarden::sim {

struct world_options {
    backend kind = backend::etcd3;
    int nodes = 3;
    sim_config config;
    std::uint64_t seed = 1;
    vtime dcs_latency_max_ms = 20;      ///< per DCS request, uniform in [1, max]
    unsigned dcs_loss_permille = 0;     ///< requests lost (half of them after being applied)
    std::uint64_t write_rate = 200000;  ///< WAL bytes per second on a primary
    std::int64_t max_drift_ppm = 0;     ///< per-node clock drift, uniform in [-max, max]
    vtime start_delay_max_ms = 1500;    ///< PostgreSQL start-up time, uniform in [200, max]
    /// A cluster that was never initialized: empty data directories, no /initialize (the
    /// bootstrap race, ha-loop.md 11).
    bool fresh = false;
    bool trace = false;                 ///< keep a readable trace of decisions
    bool trace_all = false;             ///< every decision with its actions, not only changes
};

class world {
public:
    explicit world(world_options options, brain* decider = nullptr);
    world(const world&) = delete;
    world& operator=(const world&) = delete;

    // ---- running -----------------------------------------------------------
    /// Processes every event with time <= t, then sets the time to t.
    void run_until(vtime t);
    vtime now() const noexcept { return now_; }
    /// Decide calls so far (the throughput unit of bench/sim_throughput).
    std::uint64_t node_cycles() const noexcept { return node_cycles_; }
    std::uint64_t events() const noexcept { return events_; }

    // ---- faults and operator actions (scenarios and the swarm) -------------
    int add_node();
    int size() const noexcept { return static_cast<int>(nodes_.size()); }
    void crash_node(int i, vtime down_for_ms);
    void pause_node(int i, vtime for_ms);
    void pg_crash(int i);
    void pg_hang(int i, bool hung);
    /// DCS link of node i: requests out, replies in (one-way when they differ).
    void set_dcs_link(int i, bool out, bool in);
    void set_dcs_outage(bool down);
    /// Node i's REST API and replication port unreachable from its peers.
    void set_isolated(int i, bool isolated);
    /// Replication apply rate of node i in bytes/s (0 = unlimited).
    void set_apply_rate(int i, std::uint64_t rate);
    /// As POST /switchover would write /failover; `delay_ms` > 0 schedules it (scheduled_at,
    /// in the wall clock of the node `from`).
    void request_switchover(int from, int to, vtime delay_ms = 0);
    void request_failover(int to);
    /// The member's configured tags (nofailover, failover_priority, replicatefrom, ...).
    void set_tags(int i, const ha::node_tags& tags);
    const ha::node_tags& tags(int i) const { return nodes_[static_cast<std::size_t>(i)].tags; }
    /// SIGTERM to node i's daemon (ha-loop.md 21): it stops PostgreSQL (unless paused), releases
    /// the lock and exits; it stays down until start_node or heal.
    void request_shutdown(int i);
    void start_node(int i);
    void set_config(const sim_config& c);
    const sim_config& config() const noexcept { return config_; }
    backend options_kind() const noexcept { return opts_.kind; }
    void jump_wall(int i, std::int64_t delta_ms);
    /// Ends every fault: links up, nodes resumed or restarted, PostgreSQL unhung.
    void heal();

    // ---- observation -------------------------------------------------------
    const checker& check() const noexcept { return checker_; }
    /// Exactly one primary, holding the leader key; every other healthy node
    /// streams from the current lineage.
    bool converged() const;
    /// Why converged() is false, for failure reports.
    std::string not_converged_reason() const;
    /// One line per node plus the DCS view, stable for scenario expectations.
    std::string status() const;
    /// The DCS keys as a reader with true time sees them (scenario command `dcs`).
    std::string dcs_dump();
    /// The last decisions (when options.trace).
    std::string trace() const;
    const std::string& name(int i) const { return nodes_[static_cast<std::size_t>(i)].name; }
    const fake_pg& pg(int i) const { return nodes_[static_cast<std::size_t>(i)].pg; }
    const std::string& last_reason(int i) const { return nodes_[static_cast<std::size_t>(i)].reason; }
    int leader_holder() const noexcept { return dcs_.leader_holder(now_); }
    std::int64_t timeline_number(int i) const;
    /** No node is electable under Patroni's rules: every node on a timeline >= the /history
     *  timeline has a running peer with a higher raw WAL position (on an older timeline). */
    bool timeline_deadlock() const;

private:
    enum class ev : std::uint8_t { cycle, decide_unavailable, fg_op, cycle_end, bg_op, restart, tick, redecide };
    struct event {
        vtime t;
        std::uint64_t seq;
        ev kind;
        int node;
        std::uint64_t token;
        std::size_t index;
        bool operator>(const event& o) const noexcept { return t != o.t ? t > o.t : seq > o.seq; }
        bool periodic() const noexcept { return kind == ev::tick; }   ///< kept beside the heap
    };
    struct node {
        std::string name;
        bool up = true;
        bool stay_down = false;           ///< shut down: no automatic restart
        bool restart_after_exit = false;  ///< started again while its shutdown was still running
        /// Maintenance mode in this daemon's view: set by a cycle that read `pause: true`,
        /// cleared at the end of the first cycle that read it off (S1 exemption, see unmanaged()).
        bool unmanaged = false;
        bool shutdown_requested = false, shutdown_done = false;
        ha::node_tags tags;
        /// Failsafe: the leader whose POST /failsafe this node accepted last, and when.
        std::optional<std::string> failsafe_from;
        vtime failsafe_at = 0;
        vtime failsafe_until = 0;         ///< failsafe_at + the ttl in force when it was accepted
        vtime paused_until = 0;
        fake_clock clock;
        fake_pg pg;
        fake_watchdog wd;
        ha::ha_state state;
        ha::ha_config cfg;
        ha::ha_config cfg_for_decide;
        std::uint64_t cfg_gen = 0;        ///< world config generation adopted in cfg
        mutable std::int64_t history_tli = -1;            ///< timeline `history` was built for
        mutable std::vector<dcs::history_line> history;   ///< pg_wal/<tli>.history as parsed
        std::uint64_t gen = 0;            ///< process incarnation: bumps on crash
        std::uint64_t cycle_token = 0;
        std::uint64_t chain_token = 0;
        std::uint64_t bg_token = 0;
        bool dcs_out = true, dcs_in = true, isolated = false;
        // engine memory
        std::uint64_t snapshot_epoch = 0;
        std::optional<mono_time> dcs_down_since;
        ha::inputs in;
        /// The snapshot `in.cluster` refers to (kept for the whole cycle).
        std::shared_ptr<const dcs::cluster_snapshot> snapshot;
        std::optional<ha::action_feedback> feedback;
        std::optional<ha::background_task> background;
        std::optional<ha::background_result> finished;
        std::optional<bool> failsafe_accepted;
        ha::divergence divergence = ha::divergence::not_checked;
        std::vector<ha::action> fg, bg, bg_pending;
        std::string bg_pending_name;
        bool bg_ok = true;
        bool bg_unreachable = false;       ///< the background failed on an unreachable source
        std::int64_t unpublished_tli = 0;   ///< timeline this node promoted to, not yet in /history
        /// /failover as seen by the decision that emitted the pending pg_promote: empty, naming
        /// this node, and without a leader (a failover, not a switchover).
        bool promote_manual = false, promote_chosen = false, promote_forced = false;
        /// The same, as seen by the decision that last acquired the leader key: a promotion
        /// postponed to a later cycle (lost /sync CAS) still follows from that acquisition.
        bool acquired_manual = false, acquired_chosen = false, acquired_forced = false;
        std::uint64_t acquired_epoch = 0;
        dcs::dcs_version leader_v = 0;      ///< leader key version seen by the last decision   ///< fake_dcs::leader_epoch() right after that acquisition
        int rounds = 0;
        bool in_cycle = false, wake_pending = false, watching = false;
        std::int64_t next_run_local = 0;
        std::string reason;
        /// The snapshot this cycle decided on (null: DCS unavailable).
        const dcs::cluster_snapshot* snap() const noexcept { return in.cluster.get(); }
    };

    void push(vtime t, ev kind, int node, std::uint64_t token, std::size_t index = 0);
    void dispatch(const event& e);
    void after_event();
    void on_tick();
    void start_cycle(int i);
    void gather(int i, bool dcs_ok);
    void decide_round(int i);
    void fg_step(int i, std::size_t idx);
    void end_cycle(int i);
    void bg_step(int i, std::size_t idx);
    void schedule_cycle(int i, vtime t);
    void restart(int i);
    void reset_node(int i, vtime down_for_ms, bool keep_pg_running, bool keep_watchdog = false);
    bool dcs_reachable(int i) const noexcept;
    std::int64_t ttl_ms(int i) const noexcept;
    vtime retry_ms(int i) const noexcept;
    vtime watchdog_timeout_ms(int i) const noexcept;
    vtime dcs_latency() noexcept;

    enum class step { ok, lost, dcs_error, failed };
    struct outcome_t {
        step s;
        vtime delay;
    };
    outcome_t execute(int i, const ha::action& a);
    template <class F> outcome_t dcs_call(int i, F&& apply);
    outcome_t pg_action(int i, const ha::action& a);
    void probe_into(int i, pg::local_pg_state& s) const;
    void facts_into(int i, ha::local_facts& f) const;
    std::vector<ha::peer_status> peers(int i, const std::vector<std::string>& names) const;
    void seed_role(int i);
    void clone_from(int i, int source);
    void note(int i, const std::string& text);
    void pg_lost(int i);
    bool post_failsafe(int i);
    bool unmanaged(int i) const noexcept;

    world_options opts_;
    sim_config config_;
    rng rng_;
    direct_brain default_brain_;
    brain* brain_;
    fake_dcs dcs_;
    timeline_tree tree_;
    checker checker_;
    std::vector<node> nodes_;
    event_queue<event> queue_;
    vtime now_ = 0;
    std::uint64_t seq_ = 0;
    std::uint64_t node_cycles_ = 0;
    std::uint64_t events_ = 0;
    std::uint64_t seen_epoch_ = 0;
    bool outage_ = false;
    bool redecide_after_lost_race_ = true;
    std::vector<int> writers_buf_;
    bool writers_overlap_ = false;   ///< the checker last saw two or more writers
    ha::transition decided_;   ///< the last decision; its buffers are reused by the next one
    std::uint64_t config_gen_ = 1;   ///< bumped by set_config
    std::optional<std::uint64_t> leader_optime_;   ///< last /status optime written
    std::int64_t ack_tli_ = 1;                     ///< last acknowledged commit (strict sync)
    std::uint64_t ack_lsn_ = 0;
    std::deque<std::string> trace_;
    std::uint64_t sysid_ = 7100000000000000001ULL;
    /// The remote primary a standby cluster replicates from (not a member, never promoted).
    fake_pg remote_;
};

} // namespace pgwarden::sim
