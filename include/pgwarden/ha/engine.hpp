// The HA engine: the I/O shell around ha::decide (STYLE.md 3). It gathers the
// inputs (DCS snapshot, local PostgreSQL probe, peers' statuses, clock),
// calls decide once per cycle, performs the returned actions in order through
// the four policies, stops at the first failure and feeds that back into the
// next cycle. It is the only code of the HA loop that does I/O.
#pragma once
#include <pgwarden/clock/concept.hpp>
#include <pgwarden/core/rng.hpp>
#include <pgwarden/dcs/concept.hpp>
#include <pgwarden/ha/decide.hpp>
#include <pgwarden/pg/concept.hpp>
#include <pgwarden/watchdog/concept.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgwarden::ha {

/// What the engine publishes after every cycle: the REST API, the logs and
/// the tests read it.
struct cycle_report {
    std::uint64_t cycle = 0;
    std::string message;                          ///< decide's reason, as logged at INFO
    std::optional<dcs::cluster_snapshot> cluster; ///< empty when the DCS was unreachable
    std::optional<pg::local_pg_state> local;      ///< empty when the probe failed
    ha_state state;
    wall_time wall{};
    mono_time mono{};
    std::optional<background_task> background;
};

/// Log levels the engine emits.
enum class log_level { debug, info, warning, error };

/// The daemon's side of the engine: everything it needs that is not a policy.
struct engine_hooks {
    /// Writes one log line.
    std::function<void(log_level, std::string_view)> log;
    /// Called after each cycle (and after a background action ends).
    std::function<void(const cycle_report&)> on_cycle;
    /// GET <api_url> of each (name, api_url) pair, 2 s budget, no retries (ha-loop.md 23).
    std::function<task<std::vector<peer_status>>(std::vector<std::pair<std::string, std::string>>)> fetch_peers;
    /// POST /failsafe to each (name, api_url) pair; true iff all accepted (ha-loop.md 17).
    /// The pairs are the other members of the last `/failsafe` topology seen or written.
    std::function<task<bool>(std::vector<std::pair<std::string, std::string>>)> post_failsafe;
    /** Failsafe, receiving side (ha-loop.md 17): the leader whose POST /failsafe this node
     *  accepted, while that record is valid, as a member record built from the POSTed
     *  name, conn_url and api_url. Asked each time the snapshot has no leader and
     *  failsafe_mode is on; decide then gets `inputs::failsafe_leader`, and a snapshot
     *  without that member key is completed with this record (Patroni:
     *  Failsafe.update_cluster), so that the replica can still follow it. */
    std::function<std::optional<dcs::member_record>()> failsafe_leader;
    /// Called after each between-cycles re-probe of PostgreSQL (report.local is fresh).
    std::function<void(const cycle_report&)> on_refresh;
    /// How often PostgreSQL is re-probed between cycles for on_refresh
    /// unasked; zero: only when request_refresh() asks (the daemons).
    std::chrono::milliseconds refresh_interval{1000};
    /// Runs a user callback (`on_start`, ...) with the role; fire and forget.
    std::function<void(std::string_view name, std::string_view role)> run_callback;
};

/** The HA loop of one node.
 *
 *  @tparam Dcs   a dcs::client model
 *  @tparam Pg    a pg::controller model; further operations (bootstrap,
 *                create_replica, checkpoint, ...) are used when the model has them
 *  @tparam Wd    a watchdog::device model
 *  @tparam Clock a clock::timed_source model
 *
 *  Threading: everything runs on one executor; no thread is ever started.
 */
template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
class engine {
public:
    engine(boost::asio::any_io_executor ex, Dcs& dcs, Pg& pg, Wd& wd, Clock clock,
           ha_config config, engine_hooks hooks, std::uint64_t seed);

    /// Runs cycles until shutdown completes. Completes when the daemon may exit.
    task<int> run();

    /// Runs exactly one cycle (tests, and the first cycle of run()).
    task<void> run_cycle();

    /// Wakes the loop now (a REST request changed something, a watch fired).
    void wake() noexcept;

    /** Asks for a re-probe of PostgreSQL and an on_refresh, without a
     *  decision and without waking the loop: the REST API calls it when its
     *  view is old. The probe runs on the executor while the loop waits for
     *  its next cycle; the request is dropped while a cycle or a background
     *  action runs (a fresh report follows anyway) or a re-probe is under
     *  way. The next cycle waits for a running re-probe to end. */
    void request_refresh() noexcept;

    /// Starts the graceful shutdown of ha-loop.md 21 and wakes the loop.
    void request_shutdown() noexcept;

    /// Queues a REST/ctl request for the next cycle and wakes the loop.
    void request_restart(local_requests::restart_request r);
    void request_reinitialize(local_requests::reinitialize_request r);
    /** POST /restart with `schedule` (rest-api.md 8.5): the node's single scheduled restart; false
     *  when one is already scheduled. It lasts until decide runs or drops it. */
    bool schedule_restart(local_requests::scheduled_restart r);
    /// DELETE /restart: false when none was scheduled.
    bool cancel_scheduled_restart();
    const std::optional<local_requests::scheduled_restart>& scheduled_restart() const noexcept
    {
        return scheduled_;
    }

    /// Replaces the configuration (SIGHUP, or a new `/config`) and wakes the loop.
    void set_config(ha_config config);

    const ha_config& config() const noexcept { return config_; }
    const cycle_report& last_report() const noexcept { return report_; }
    const ha_state& state() const noexcept { return state_; }
    /// The cluster as last read from the DCS (empty while it is unreachable).
    const std::optional<dcs::cluster_snapshot>& snapshot() const noexcept { return snapshot_; }

private:
    enum class step { ok, lost_race, dcs_error, failed };

    task<void> gather();
    task<void> decide_and_act();
    task<step> execute(const action& a);
    task<void> run_background(std::string name, std::vector<action> actions);
    task<void> wait_next(mono_time deadline);
    task<void> republish();
    void bind_cluster();
    task<void> refresh_settled();
    std::optional<dcs::dcs_version> watch_version() const;
    void log(log_level level, std::string_view text) const;
    static step from(const result<bool>& r);
    static step from(const result<void>& r);

    // One overload per action type (impl/engine.hpp).
    template <class A> task<step> act(const A& a);

    boost::asio::any_io_executor ex_;
    Dcs& dcs_;
    Pg& pg_;
    Wd& wd_;
    Clock clock_;
    ha_config config_;
    engine_hooks hooks_;
    rng rng_;

    ha_state state_;
    inputs in_;
    cycle_report report_;
    std::optional<dcs::cluster_snapshot> snapshot_;
    /// snapshot_ completed with the failsafe leader's member record (see engine_hooks::failsafe_leader).
    std::optional<dcs::cluster_snapshot> failsafe_completed_;
    std::optional<mono_time> dcs_down_since_;
    std::optional<action_feedback> feedback_;
    std::optional<background_task> background_;
    std::optional<background_result> finished_;
    local_requests requests_;
    std::optional<std::vector<peer_status>> peers_;
    std::optional<bool> failsafe_accepted_;

    boost::asio::steady_timer wake_timer_;
    boost::asio::steady_timer refresh_done_;   ///< cancelled when a re-probe ends
    bool wake_pending_ = false;
    bool waiting_ = false;                     ///< inside wait_next
    bool refresh_running_ = false;             ///< a request_refresh() re-probe is under way
    std::uint64_t cycle_ = 0;
    bool shutdown_requested_ = false;
    std::optional<local_requests::scheduled_restart> scheduled_;   ///< kept across cycles
    bool stop_failed_ = false;   ///< a pg_stop of the shutdown did not succeed
    int exit_code_ = 0;
    bool exit_ = false;
};

} // namespace pgwarden::ha

#include <pgwarden/ha/impl/engine.hpp>
