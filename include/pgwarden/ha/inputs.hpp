// Every fact decide() may use, as values (STYLE.md 3). The engine gathers
// them (DCS read, local probe, peers' /patroni answers, clock, outcomes of
// the previous cycle's actions) and calls decide() once.
#pragma once
#include <pgwarden/core/lsn.hpp>
#include <pgwarden/core/result.hpp>
#include <pgwarden/core/time.hpp>
#include <pgwarden/dcs/model.hpp>
#include <pgwarden/pg/model.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace pgwarden::ha {

/// `synchronous_mode` (ha-loop.md 13.1).
enum class sync_mode { off, on, quorum };

/// `watchdog.mode` (ha-loop.md 19).
enum class watchdog_mode { off, automatic, required };

/** The member's own tags as configured (dcs.md 2.2.3). Absent = not configured. */
struct node_tags {
    std::optional<bool> nofailover;
    std::optional<std::int64_t> failover_priority;
    std::optional<bool> nosync;
    std::optional<std::int64_t> sync_priority;
    bool clonefrom = false;
    std::optional<std::string> replicatefrom;
    bool nostream = false;
    bool noloadbalance = false;
    /// Any other configured tag: name -> compact JSON text of its value, always published.
    std::vector<std::pair<std::string, std::string>> custom;

    /// Reader rule of dcs.md 2.2.3: nofailover if set, else failover_priority <= 0.
    bool is_nofailover() const noexcept
    {
        if (nofailover) return *nofailover;
        return failover_priority && *failover_priority <= 0;
    }
    /// 0 when nofailover, else failover_priority (default 1).
    std::int64_t effective_failover_priority() const noexcept
    {
        if (nofailover && *nofailover) return 0;
        return failover_priority.value_or(1);
    }
    bool is_nosync() const noexcept
    {
        if (nosync) return *nosync;
        return sync_priority && *sync_priority <= 0;
    }
};

/// A permanent slot from `/config` `slots` (ha-loop.md 14.1).
struct permanent_slot {
    std::string name;
    bool logical = false;
    std::optional<std::string> database, plugin;
    std::optional<std::string> cluster_type;   ///< physical only: primary | standby
};

/// An `ignore_slots` entry: every set field must match.
struct ignore_slot_rule {
    std::optional<std::string> name, type, database, plugin;
};

/// The `standby_cluster` section (ha-loop.md 12).
struct standby_cluster_config {
    std::string host;
    std::string port;
    std::optional<std::string> primary_slot_name;
    std::optional<std::string> restore_command;
    std::optional<std::string> archive_cleanup_command;
    std::optional<std::string> recovery_min_apply_delay;
    std::vector<std::string> create_replica_methods;
    /// Enabled iff a truthy host, port or restore_command (ha-loop.md 12).
    bool is_enabled() const noexcept
    {
        return !host.empty() || !port.empty() || (restore_command && !restore_command->empty());
    }
};

/** Every setting decide() needs, static and dynamic, already validated
 *  (ha-loop.md 1.1 adjustments applied). The daemon maps the loaded
 *  configuration onto it; ha/ never depends on the config module.
 */
struct ha_config {
    std::string name;                        ///< our member name
    std::string scope;
    std::string conn_url;                    ///< postgres://host:port/db, published in the member key
    std::string api_url;                     ///< http(s)://host:port/patroni
    std::string patroni_version = "4.1.4";   ///< published as member `version`

    seconds ttl{30};
    seconds loop_wait{10};
    seconds retry_timeout{10};

    std::uint64_t maximum_lag_on_failover = 1048576;
    bool check_timeline = false;
    std::int64_t max_timelines_history = 0;

    sync_mode synchronous_mode = sync_mode::off;
    bool synchronous_mode_strict = false;
    int synchronous_node_count = 1;
    std::int64_t maximum_lag_on_syncnode = -1;   ///< <= 0: off

    seconds primary_start_timeout{300};
    seconds primary_stop_timeout{0};
    seconds primary_race_backoff{0};

    bool failsafe_mode = false;
    bool pause = false;

    bool use_pg_rewind = false;
    bool remove_data_directory_on_rewind_failure = false;
    bool remove_data_directory_on_diverged_timelines = false;

    bool use_slots = true;
    std::vector<permanent_slot> slots;
    std::vector<ignore_slot_rule> ignore_slots;
    seconds member_slots_ttl{1800};

    std::optional<standby_cluster_config> standby_cluster;

    node_tags tags;

    watchdog_mode watchdog = watchdog_mode::automatic;
    /// Timing slack >= 0 and (for required) the device exists and is writable (ha-loop.md 19).
    bool watchdog_usable = true;

    std::vector<std::string> create_replica_methods{"basebackup"};
    /// Names of the configured replica methods (postgresql.<m>) that have `no_leader` set.
    std::vector<std::string> no_leader_methods;
    bool has_bootstrap_section = true;
    std::string bootstrap_method = "initdb";
    bool has_pre_promote = false;

    /// The local dynamic configuration as JSON, written to `/config` when missing (§3 step 5).
    std::string dynamic_config_json = "{}";

    bool is_standby_cluster() const noexcept
    {
        return standby_cluster && standby_cluster->is_enabled();
    }
};

/// The DCS could not be read this cycle (Patroni: DCSError from get_cluster).
struct dcs_unavailable {
    mono_time since;                ///< first failure of the current outage
    error_code error;
};

/// The local probe failed (Patroni: PostgresConnectionException).
struct probe_failed {
    error_code error;
};

/** A value observed elsewhere, or why it could not be observed. Unlike observed<> it
 *  holds the address of the caller's value instead of a copy: the DCS snapshot is the largest
 *  input, and the engine (and the simulator) already keep it for the whole cycle, so copying it
 *  into every inputs was the simulator's main cost (docs/design/ha-core.md).
 *  @pre the referenced value outlives every decide() that reads this inputs; binding a
 *       temporary is rejected at compile time. */
template <class T, class Failure>
struct observed_ref {
    std::variant<const T*, Failure> v{static_cast<const T*>(nullptr)};

    observed_ref() = default;
    observed_ref(const T& value) noexcept : v(&value) {}   // NOLINT: implicit on purpose
    observed_ref(const T&&) = delete;                      // would dangle
    observed_ref(Failure failure) : v(std::move(failure)) {}   // NOLINT
    const T* get() const noexcept
    {
        const auto* p = std::get_if<const T*>(&v);
        return p ? *p : nullptr;
    }
    const Failure* failure() const noexcept { return std::get_if<Failure>(&v); }
    bool ok() const noexcept { return get() != nullptr; }
};

/// A value, or why it could not be observed (STYLE.md 3).
template <class T, class Failure>
struct observed {
    std::variant<T, Failure> v;

    observed() = default;
    observed(T value) : v(std::move(value)) {}             // NOLINT: implicit on purpose
    observed(Failure failure) : v(std::move(failure)) {}   // NOLINT
    const T* get() const noexcept { return std::get_if<T>(&v); }
    const Failure* failure() const noexcept { return std::get_if<Failure>(&v); }
    bool ok() const noexcept { return get() != nullptr; }
};

/** The `/patroni` answer of another member, reduced to what the HA loop
 *  reads (ha-loop.md 23). A peer that did not answer, or answered without
 *  `xlog`, has `reachable == false`.
 */
struct peer_status {
    std::string name;
    bool reachable = false;         ///< answered with valid JSON containing xlog/wal
    std::string role;               ///< `primary`, `master`, `replica`, `standby_leader`, ...
    bool in_recovery = true;        ///< false iff xlog.location truthy or role primary/master
    lsn wal_position;               ///< primary: location; standby: max(received, replayed)
    std::optional<std::int64_t> timeline;
    bool nofailover = false;        ///< from the peer's reported tags (dcs.md 2.2.3 rule)
    std::int64_t failover_priority = 1;
    bool watchdog_failed = false;
};

/// Answer of a pg_check_divergence query (ha-loop.md 10.2).
enum class divergence { not_checked, need_rewind, no_rewind, check_failed };

/// Facts about the local node that the probe of pg::local_pg_state lacks.
struct local_facts {
    bool data_dir_accessible = true;
    std::string data_dir_error;                  ///< OS error text when not accessible
    bool sysid_valid = true;                     ///< pg_controldata sysid has >= 10 digits
    bool has_recovery_conf = false;              ///< standby.signal / recovery.signal / recovery.conf
    bool has_backup_label = false;               ///< PG15+ skip of single-user recovery
    bool pg_rewind_usable = false;               ///< §10.1 (use_pg_rewind && binary ok && hints/checksums)
    bool replay_paused = false;                  ///< PG14+ pg_is_wal_replay_paused()
    /// The recovery configuration currently active: the member or conn_url followed, empty if none.
    std::optional<std::string> following;
    /** The parsed `pg_wal/<current timeline>.history` (§15) of a primary on timeline > 1; the
     *  engine fills the last line's `timestamp` with the file's mtime (ISO-8601). */
    std::vector<dcs::history_line> timeline_history;
    /// Filled by the engine after it ran a pg_check_divergence query this cycle.
    divergence divergence_check = divergence::not_checked;
};

/// Which action of the previous list failed, and how (the engine stops at it).
enum class outcome { lost_race, dcs_error, failed };

/// Feedback from the previous decide's action list (STYLE.md 3: "fed back as next cycle's inputs").
struct action_feedback {
    std::string action;             ///< action_name() of the action that did not succeed
    outcome result = outcome::failed;
};

/// A long action running in the background (ha-loop.md 2.2).
struct background_task {
    std::string name;               ///< e.g. `promote`, `bootstrap`, `running pg_rewind from n1`
    mono_time started;
    bool promote_past_pre_promote = false;   ///< for `promote`: pre_promote already done
};

/// A long action that finished since the previous cycle.
struct background_result {
    std::string name;
    bool ok = false;
    bool pre_promote_failed = false;         ///< for `promote`
    /** For `running pg_rewind from X`: the failure came from an unreachable source (Patroni:
     *  "Failed to rewind because primary X become unreachable"), the rewind stays needed and is
     *  retried. Left false, a failure is "from a healthy primary": the rewind state is FAILED. */
    bool source_unreachable = false;
};

/// Requests made through the REST API or signals, pending for this cycle.
struct local_requests {
    struct restart_request {
        std::optional<seconds> timeout;
        std::optional<std::string> role;                 ///< only if the current role equals it
        std::optional<int> postgres_version;             ///< only if the server is older
        bool restart_pending_only = false;
    };
    struct reinitialize_request {
        bool force = false;
        bool from_leader = false;
    };
    struct scheduled_restart {
        wall_time at;
        std::optional<mono_time> postmaster_start;       ///< cancelled if changed since scheduling
        std::optional<seconds> timeout;
        std::string json;   ///< published as the member key's `scheduled_restart` (rest-api.md 8.5)
    };
    std::optional<restart_request> restart;
    std::optional<reinitialize_request> reinitialize;
    std::optional<scheduled_restart> scheduled;
    bool shutdown = false;
};

/** Everything one decide() call may use.
 *
 *  Queries (STYLE.md 3 rule 3): when decide() needs an answer that is not in
 *  the inputs it returns the unchanged state and exactly one query action:
 *  fetch_peers (answer: `peers`), post_failsafe (`failsafe_all_accepted`) or
 *  pg_check_divergence (`facts.divergence_check`). The engine performs it and
 *  calls decide() again in the same cycle with the answer filled (answers
 *  accumulate: keep earlier ones for the rest of the cycle); an answer
 *  is never "missing" (an unreachable peer is reachable == false, a failed
 *  check is divergence::check_failed), so this terminates.
 *
 *  Feedback: the engine stops at the first failed action and passes its
 *  action_name() and outcome in `feedback` to the next decide() only.
 */
struct inputs {
    /// The snapshot this cycle decides on, by reference (the caller keeps it alive).
    observed_ref<dcs::cluster_snapshot, dcs_unavailable> cluster;
    observed<pg::local_pg_state, probe_failed> local;
    local_facts facts;
    std::optional<std::vector<peer_status>> peers;
    const ha_config* config = nullptr;
    mono_time now{};
    wall_time wall_now{};
    std::uint64_t entropy = 0;

    std::optional<action_feedback> feedback;        ///< previous list stopped at this action
    std::optional<background_task> background;      ///< running long action, if any
    std::optional<background_result> finished;      ///< long action finished since last cycle
    local_requests requests;
    /// Failsafe: the leader that POSTed /failsafe within the last ttl (§17), injected when unlocked.
    std::optional<std::string> failsafe_leader;
    /// Failsafe leader path: every member accepted our POST /failsafe this cycle.
    std::optional<bool> failsafe_all_accepted;
};

} // namespace pgwarden::ha
