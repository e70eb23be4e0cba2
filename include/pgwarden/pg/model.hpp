// Values exchanged with the PostgreSQL controller (ha-loop.md 2, 6, 9-14).
// Aggregates only: no libpq, no Asio.
#pragma once
#include <pgwarden/core/lsn.hpp>
#include <pgwarden/core/time.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgwarden::pg {

/// What the probe found PostgreSQL doing (ha-loop.md 2.1 roles).
enum class pg_role { uninitialized, primary, replica, standby_leader, demoted, promoted };

/// The state string of dcs.md 2.2.1, as an enum; pg::to_string gives the exact text.
enum class pg_state {
    initializing_new_cluster, initdb_failed, running_custom_bootstrap_script,
    custom_bootstrap_failed, creating_replica, running, starting,
    starting_after_custom_bootstrap, start_failed, restarting, restart_failed,
    stopping, stopped, stop_failed, crashed, unknown,
};

/// The exact state text of dcs.md 2.2.1 (`running`, `creating replica`, ...).
constexpr const char* to_string(pg_state s) noexcept
{
    switch (s) {
    case pg_state::initializing_new_cluster: return "initializing new cluster";
    case pg_state::initdb_failed: return "initdb failed";
    case pg_state::running_custom_bootstrap_script: return "running custom bootstrap script";
    case pg_state::custom_bootstrap_failed: return "custom bootstrap failed";
    case pg_state::creating_replica: return "creating replica";
    case pg_state::running: return "running";
    case pg_state::starting: return "starting";
    case pg_state::starting_after_custom_bootstrap: return "starting after custom bootstrap";
    case pg_state::start_failed: return "start failed";
    case pg_state::restarting: return "restarting";
    case pg_state::restart_failed: return "restart failed";
    case pg_state::stopping: return "stopping";
    case pg_state::stopped: return "stopped";
    case pg_state::stop_failed: return "stop failed";
    case pg_state::crashed: return "crashed";
    case pg_state::unknown: return "unknown";
    }
    return "unknown";
}

/// The role text Patroni 4.1 publishes (`primary`, `replica`, ...).
constexpr const char* to_string(pg_role r) noexcept
{
    switch (r) {
    case pg_role::uninitialized: return "uninitialized";
    case pg_role::primary: return "primary";
    case pg_role::replica: return "replica";
    case pg_role::standby_leader: return "standby_leader";
    case pg_role::demoted: return "demoted";
    case pg_role::promoted: return "promoted";
    }
    return "uninitialized";
}

/** The role text with Patroni 3.0.2's names when `legacy_names` is set
 *  (`master` for primary and promoted), for mixed 3.0.2/4.x clusters.
 */
constexpr const char* to_string(pg_role r, bool legacy_names) noexcept
{
    if (legacy_names && (r == pg_role::primary || r == pg_role::promoted)) return "master";
    return to_string(r);
}

/// One entry of `pending_restart_reason` (dcs.md 2.2): the running value and
/// the value a restart would apply, converted to readable units as Patroni does.
struct param_change {
    std::string old_value, new_value;
    friend bool operator==(const param_change&, const param_change&) = default;
};

/// One replication connection seen on a primary (pg_stat_replication).
struct replication_peer {
    std::string application_name;
    std::string state;                ///< streaming, catchup, ...
    std::string sync_state;           ///< async, potential, sync, quorum
    lsn write_lsn, flush_lsn, replay_lsn;
};

/// A replication slot present on this node.
struct slot_info {
    std::string name;
    std::string type;                 ///< physical | logical
    std::optional<std::string> plugin, database;
    lsn restart_lsn, confirmed_flush_lsn;
    bool active = false;
    std::string wal_status;           ///< reserved, extended, unreserved, lost ("" if unknown)
    std::optional<std::uint64_t> xmin, catalog_xmin;   ///< NULL => nullopt
};

/** A value snapshot of the local PostgreSQL, produced by controller::probe().
 *
 *  Invariants:
 *  - `running` is false => the LSN fields come from pg_controldata or are empty;
 *  - `role == primary` => `in_recovery` is false.
 */
struct local_pg_state {
    bool data_dir_empty = true;       ///< no PG_VERSION / pg_control
    bool running = false;             ///< the postmaster is alive
    bool accepting_connections = false;
    pg_role role = pg_role::uninitialized;
    pg_state state = pg_state::stopped;
    bool in_recovery = false;
    std::int64_t timeline = 0;
    std::int64_t received_timeline = 0;   ///< standby: WAL receiver's timeline, 0 if none
    std::optional<std::uint64_t> system_identifier;
    int server_version = 0;           ///< e.g. 150018
    lsn write_lsn;                    ///< primary: pg_current_wal_flush_lsn()
    lsn receive_lsn;                  ///< standby
    lsn replay_lsn;                   ///< standby
    bool is_streaming = false;        ///< WAL receiver status is streaming
    std::optional<std::string> upstream;      ///< the primary_conninfo's host:port or member name
    bool pending_restart = false;
    bool cleanly_shut_down = true;    ///< pg_controldata "shut down" / "shut down in recovery"
    std::string controldata_state;    ///< "Database cluster state" as printed
    std::optional<mono_time> postmaster_start;
    /// pg_postmaster_start_time() in microseconds since the epoch, and the session's UTC offset.
    std::optional<std::int64_t> postmaster_start_us;
    std::int32_t utc_offset_s = 0;
    /// pg_last_xact_replay_timestamp() in microseconds since the epoch (standbys).
    std::optional<std::int64_t> replay_timestamp_us;
    std::vector<replication_peer> replication;
    std::vector<slot_info> slots;
    std::optional<std::string> background_action;   ///< the long action running, ha-loop.md 2.2
    std::string sync_standby_names;   ///< the running value (primary), "" if unset
    std::optional<std::string> primary_slot_name;   ///< standby: the WAL receiver's slot
    bool replay_paused = false;       ///< standby: pg_is_wal_replay_paused()
    /// GUC -> {old_value, new_value} of the parameters waiting for a restart
    /// (dcs.md 2.2 `pending_restart_reason`); non-empty => pending_restart.
    std::map<std::string, param_change> pending_restart_reason;
};

/// How start() brings PostgreSQL up.
enum class start_role { primary, replica, standby_leader };

/// PostgreSQL's shutdown modes.
enum class stop_mode { smart, fast, immediate };

/// Where a replica streams from (or restores from, in a standby cluster).
struct follow_target {
    std::optional<std::string> member;        ///< member name, empty for restore-only
    std::string conn_url;                     ///< postgres://host:port/db of the upstream
    std::optional<std::string> slot_name;
    std::optional<std::string> restore_command;
    std::optional<std::int64_t> timeline;     ///< recovery_target_timeline, latest if absent
    /** rewind(): the leader's member key `checkpoint_after_promote` (Patroni
     *  >= 1.5.7). false => wait (error::source_not_ready); true => only check
     *  that the source is a primary; absent (old Patroni, remote primary) =>
     *  CHECKPOINT on the source when its pg_control is behind its timeline.
     */
    std::optional<bool> checkpoint_after_promote;
};

/// The synchronous standbys to write into synchronous_standby_names (ha-loop.md 13.2).
struct sync_names {
    bool quorum = false;              ///< ANY (quorum) instead of FIRST (priority)
    int count = 0;                    ///< number of synchronous standbys required
    std::vector<std::string> names;
    bool strict_placeholder = false;  ///< strict mode with no candidate
};

} // namespace pgwarden::pg
