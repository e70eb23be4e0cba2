// The memory of the HA loop between cycles: Patroni's hidden `self._*`
// attributes of Ha, Postgresql and Rewind, made explicit (STYLE.md 3).
// decide() reads one ha_state and returns the next one; nothing else
// survives from one cycle to the next.
#pragma once
#include <pgwarden/core/lsn.hpp>
#include <pgwarden/core/time.hpp>
#include <pgwarden/pg/model.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pgwarden::ha {

/// The node's PostgreSQL role as Patroni tracks it (ha-loop.md 2.1).
using node_role = pg::pg_role;

/// The rewind sub-state (ha-loop.md 2.3; Patroni: rewind.REWIND_STATUS).
enum class rewind_state { initial, checkpoint, check, need, not_need, success, failed };

/// "needed" = CHECK or NEED (Patroni: Rewind.rewind_or_reinitialize_needed_and_possible's first half).
constexpr bool is_rewind_needed(rewind_state s) noexcept
{
    return s == rewind_state::check || s == rewind_state::need;
}
/// "executed" = SUCCESS or FAILED (Patroni: Rewind.executed).
constexpr bool is_rewind_executed(rewind_state s) noexcept
{
    return s == rewind_state::success || s == rewind_state::failed;
}

/** Everything decide() remembers between cycles.
 *
 *  A default-constructed ha_state is the state of a freshly started daemon
 *  (Patroni's Ha.__init__); the engine may seed `role` from the data
 *  directory (ha-loop.md 2.1) before the first cycle.
 */
struct ha_state {
    /** Patroni: state_handler.role.
     *  Invariants:
     *  - changes only along an edge of transitions.hpp (is_legal(role, next.role));
     *  - `promoted` only after a pg_promote action was emitted while holding the lock. */
    node_role role = node_role::uninitialized;

    /** Patroni: Ha._leader_expiry ("I am leader", ha-loop.md 1.4).
     *  Invariants:
     *  - set only in a transition whose actions contain a successful-path
     *    acquire_leader / renew_leader (or the failsafe "all accepted" path);
     *  - reset when the lock is released or a snapshot names someone else. */
    std::optional<mono_time> leader_until;

    /** Patroni: Ha._last_wal_lsn (§3 step 0): WAL position seen in the previous cycle.
     *  Invariants: updated every cycle in which the local probe succeeded. */
    std::optional<lsn> prev_wal_lsn;

    /** Patroni: Ha._primary_race_backoff_start (§5.1), monotonic instead of time.time().
     *  Invariants: empty whenever the last snapshot showed a leader. */
    std::optional<mono_time> race_backoff_started;

    /** Patroni: Ha._released_leader_key_timestamp (pre_promote failure, §5.3 rule 1).
     *  Invariants: set only together with a release_leader action. */
    std::optional<mono_time> released_leader_key_at;

    /** Patroni: Ha._crash_recovery_started (§9.4, §9.5).
     *  Invariants: set iff a crash-recovery background action was started and
     *  not yet finished; `crash_recovery_executed` is true from then until
     *  the next successful start. */
    std::optional<mono_time> crash_recovery_started;
    bool crash_recovery_executed = false;

    /** Patroni: Ha.recovering (§3 step 9): a start/restart was launched.
     *  Invariants: set together with a pg_start action; cleared on the next cycle. */
    bool recovering = false;

    /** Patroni: Ha._start_timeout: per-restart override of primary_start_timeout. */
    std::optional<seconds> start_timeout;

    /** Patroni: Postgresql.time_in_state() origin for the `starting` state (§9.3).
     *  Invariants: set while the local PostgreSQL is starting. */
    std::optional<mono_time> starting_since;

    /** Patroni: Postgresql.state == 'crashed': PostgreSQL was seen running (or starting) and
     *  is now gone. Invariants: cleared when PostgreSQL runs again. */
    bool pg_crashed = false;
    /** PostgreSQL was running at the previous cycle (to detect a crash). */
    bool pg_was_running = false;

    /** Patroni: Ha._bootstrapping / is_bootstrapping (§3 step 8, §11). */
    bool bootstrapping = false;
    /** The bootstrap was of a standby leader (post-bootstrap is then already done). */
    bool bootstrapping_standby = false;
    /** Patroni: Ha._post_bootstrap_task result seen (post_bootstrap finished OK). */
    bool post_bootstrap_done = false;

    /** Patroni: Rewind._state (§2.3, §10). */
    rewind_state rewind = rewind_state::initial;

    /** Patroni: Ha.state_handler.cb_called / _async_executor callback history:
     *  whether on_start (or equivalent) fired since the daemon started (§3 steps 11b, 14). */
    bool callback_fired = false;

    /** Patroni: Ha.is_paused() of the previous cycle, to detect un-pausing (§3 step 2). */
    bool was_paused = false;

    /** Patroni: Watchdog.is_running.
     *  Invariants: true only after a watchdog_activate action was emitted and
     *  no watchdog_disable since. */
    bool watchdog_active = false;

    /** Patroni: Postgresql._last_timeline / Ha.last_timeline of the local node, §6.3 step 10. */
    std::optional<std::int64_t> last_timeline;

    /** Patroni: Ha._failsafe (last `/failsafe` topology seen or written, §17). */
    std::vector<std::pair<std::string, std::string>> failsafe_topology;
    /** Patroni: Ha._failsafe.is_active() on the leader side (reset each successful cycle). */
    bool failsafe_active = false;

    /** Patroni: SyncHandler._ready_replicas / _ssn_data: names confirmed
     *  synchronous and the flush LSN remembered when the GUC last changed (§13.3). */
    std::vector<std::string> sync_ready;
    lsn sync_flush_at_change;
    /** What we last asked PostgreSQL to put in synchronous_standby_names.
     *  Invariants: every name published in /sync voters by this node is in it. */
    std::optional<pg::sync_names> sync_guc;

    /** Patroni: SlotsHandler._member_slots_retained: name -> last time seen (§14.3). */
    std::vector<std::pair<std::string, mono_time>> retained_slots;

    /** Patroni: Ha.old_cluster leader name, the "former leader" of §5.4. */
    std::optional<std::string> former_leader;
    /** Members of the last snapshot that had a leader (Patroni: Ha.old_cluster.members): name
     *  and api_url. The race queries them even after their member keys expired (§5.3 rule 9):
     *  a primary cut off from the DCS whose key vanished may still answer "I am primary". */
    std::vector<std::pair<std::string, std::string>> old_cluster_members;

    /** Patroni: Ha._disable_sync (temporary leave of sync duty before a restart or shutdown, §13.10).
     *  Invariants: while true the member key carries nosync: true, sync_priority: 0;
     *  `leaving_sync_since` is set iff `leaving_sync`. */
    bool leaving_sync = false;
    std::optional<mono_time> leaving_sync_since;

    /** The daemon decided to exit (fatal sysid mismatch, replica without initialize). */
    bool exit_requested = false;
    /** PostgreSQL must be left running on exit (Patroni: Ha._abort_start / §21). */
    bool leave_postgres_running = false;

    /** A promote list (begin_background{"promote"}) was emitted and its background task has not
     *  been seen yet. `role == promoted` is set optimistically with that list; Patroni sets it
     *  only once `pg_ctl promote` succeeded, so a list cut before the task (a lost `write_sync`
     *  CAS, a failed lock write) or a failed/cancelled task must take the role back.
     *  Invariants:
     *  - true only while `role == promoted`;
     *  - cleared at the first cycle that sees the task running, finished or never started. */
    bool promote_pending = false;

    /** Optimistic effects of the previous action list, not yet confirmed. decide() updates the
     *  state as if its actions succeed; when the list stops early (`inputs::feedback`), the
     *  effects below may not have happened, and are undone: the watchdog is re-armed, the
     *  synchronous_standby_names belief goes back to the value before the list (never believe a
     *  name is in the GUC when it may not be: /sync must stay a subset of it), and the
     *  post-promote CHECKPOINT is asked for again.
     *  Invariants: each is set only by the decide() whose actions contain the matching action
     *  (watchdog_activate, pg_set_sync_standbys, pg_checkpoint) and cleared by the next one. */
    bool watchdog_unconfirmed = false;
    bool checkpoint_unconfirmed = false;
    bool sync_guc_unconfirmed = false;
    std::optional<pg::sync_names> sync_guc_before;

    /** Patroni: Ha._rewind.checkpoint_after_promote / _post_promote done (§10.4). */
    bool checkpoint_after_promote_done = false;
};

} // namespace pgwarden::ha
