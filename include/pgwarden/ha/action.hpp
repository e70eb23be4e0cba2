// What decide() asks the engine to do, in order (STYLE.md 3). Each action is
// a small aggregate; the engine std::visit()s the list, stops at the first
// failure and reports it as inputs::feedback on the next decide().
//
// Every prefix of a list is safe: the node may die after any action.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/lsn.hpp>
#include <pgwarden/core/time.hpp>
#include <pgwarden/dcs/model.hpp>
#include <pgwarden/pg/model.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pgwarden::ha {

// ---- DCS -----------------------------------------------------------------

/// Create the leader key (create-if-absent). Lost race => outcome::lost_race.
struct acquire_leader {};
/// Refresh the leader key; `with_status` also writes /status (optime, slots, retain_slots).
struct renew_leader {
    bool with_status = true;
    lsn optime;
    std::vector<std::pair<std::string, lsn>> slots;
    std::vector<std::string> retain_slots;
};
/// Delete the leader key (guarded: only if it still names us). `optime` is written to /status first;
/// in a graceful demotion the engine fills it with the shutdown checkpoint LSN when it is empty.
struct release_leader {
    std::optional<lsn> optime;
};
/// Write our own members/<name> key.
struct publish_member {
    dcs::member_data data;
};
/// CAS-write /sync on `version` (0 = create).
struct write_sync {
    dcs::sync_record value;
    dcs::dcs_version version = 0;
};
/// Delete /sync (CAS on version).
struct delete_sync {
    dcs::dcs_version version = 0;
};
/// Write /failover (CAS on version when `version` is set; else unconditional).
struct write_failover {
    dcs::failover_record value;
    std::optional<dcs::dcs_version> version;
};
/// Write `{}` into /failover (CAS when `version` is set, else unconditional).
struct clear_failover {
    std::optional<dcs::dcs_version> version;
};
/// Write /history.
struct write_history {
    std::vector<dcs::history_line> lines;
};
/// Write /initialize = sysid; `create_only` for the bootstrap race ("" while bootstrapping).
struct write_initialize {
    std::string value;
    bool create_only = true;
};
/// Delete /initialize (failed bootstrap).
struct cancel_initialize {};
/// Write /config (JSON text); `version` for CAS.
struct write_config {
    std::string json;
    std::optional<dcs::dcs_version> version;
};
/// Write /failsafe = name -> api_url.
struct write_failsafe {
    std::vector<std::pair<std::string, std::string>> members;
};
/// Re-read the cluster and call decide again in the same cycle. Reserved: decide() does not
/// emit it today (it decides on one snapshot; see docs/design/ha-core.md).
struct reload_cluster {};

// ---- peers ---------------------------------------------------------------

/// Query: GET /patroni of the named members (2 s, no retries), then decide again with
/// inputs::peers filled (unreachable members as reachable == false).
struct fetch_peers {
    std::vector<std::string> members;
    std::vector<std::string> api_urls;   ///< api_urls[i] is where members[i] answers
};
/// Query: POST /failsafe to every other member of the last /failsafe topology (§17), then
/// decide again with inputs::failsafe_all_accepted filled.
struct post_failsafe {};

// ---- PostgreSQL ----------------------------------------------------------

/// Everything after this marker runs as one background task named `name` (ha-loop.md 2.2).
/// While it runs the engine sets inputs::background; once it ended, inputs::finished (once).
struct begin_background {
    std::string name;
};
struct pg_start {
    pg::start_role role = pg::start_role::replica;
    std::optional<pg::follow_target> follow;    ///< recovery configuration to write first
    std::optional<seconds> timeout;
};
struct pg_stop {
    pg::stop_mode mode = pg::stop_mode::fast;
    bool checkpoint = false;                    ///< CHECKPOINT before stopping (graceful demote)
    bool disable_watchdog_at_safe_point = false;
    std::optional<seconds> timeout;             ///< primary_stop_timeout in synchronous mode
};
struct pg_promote {};
/// Rewrite the recovery configuration; `restart` when a reload is not enough.
struct pg_follow {
    pg::follow_target target;
    bool restart = false;
};
struct pg_rewind {
    pg::follow_target source;
};
/// Query: check whether the local timeline diverged from `target` (§10.2); the engine
/// calls decide again at once with inputs::facts.divergence_check filled.
struct pg_check_divergence {
    pg::follow_target target;
};
struct pg_crash_recovery {};
/// Wipe the data directory and clone again (§10.5, "reinitializing due to diverged timelines").
struct pg_reinitialize {
    std::optional<pg::follow_target> source;
};
/// initdb / custom bootstrap (or clone from the remote primary for a standby leader).
struct pg_bootstrap {
    std::string method;
    std::optional<pg::follow_target> source;    ///< standby cluster: the remote primary
};
struct pg_post_bootstrap {};
struct pg_create_replica {
    std::optional<pg::follow_target> source;    ///< empty: a no_leader method
    std::vector<std::string> methods;
};
struct pg_set_sync_standbys {
    pg::sync_names names;
};
struct pg_sync_slots {};
/// Post-promote CHECKPOINT (§10.4): the engine skips it when the running timeline already
/// equals the pg_control timeline.
struct pg_checkpoint {};
struct pg_resume_replay {};
/// Rename the data directory to <data_dir>.failed (failed bootstrap, §11.3).
struct pg_move_data_dir_aside {};

// ---- watchdog, callbacks, process -----------------------------------------

/// Arm the watchdog. Fails (outcome::failed) only in `required` mode; `automatic` mode
/// falls back to no watchdog and reports success (Patroni: Watchdog.activate).
struct watchdog_activate {};
struct watchdog_keepalive {};
struct watchdog_disable {};
/// Fire a user callback (`on_start`, `on_stop`, `on_restart`, `on_role_change`, ...).
struct run_callback {
    std::string name;
    std::string role;                           ///< `primary`, `replica`, `standby_leader`, ...
};
/// Cancel the running background action.
struct cancel_background {};
/// Forget the scheduled restart (done, cancelled or stale; ha-loop.md 22).
struct clear_scheduled_restart {};
/// Exit the daemon with `code` (fatal configuration error, §3 step 11).
struct exit_daemon {
    int code = 1;
    std::string reason;
};

using action = std::variant<
    acquire_leader, renew_leader, release_leader, publish_member, write_sync, delete_sync,
    write_failover, clear_failover, write_history, write_initialize, cancel_initialize,
    write_config, write_failsafe, reload_cluster, fetch_peers, post_failsafe, begin_background,
    pg_start, pg_stop, pg_promote, pg_follow, pg_rewind, pg_check_divergence, pg_crash_recovery,
    pg_reinitialize, pg_bootstrap, pg_post_bootstrap, pg_create_replica, pg_set_sync_standbys,
    pg_sync_slots, pg_checkpoint, pg_resume_replay, pg_move_data_dir_aside, watchdog_activate,
    watchdog_keepalive, watchdog_disable, run_callback, cancel_background, clear_scheduled_restart,
    exit_daemon>;

/// The snake_case name of the action's type ("acquire_leader", "pg_promote", ...).
[[nodiscard]] PGWARDEN_DECL const char* action_name(const action& a) noexcept;

} // namespace pgwarden::ha

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/ha/impl/action.ipp>
#endif
