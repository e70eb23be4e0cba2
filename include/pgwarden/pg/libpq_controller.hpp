// pg::libpq_controller: the real PostgreSQL policy (STYLE.md 2). Drives a
// local PostgreSQL through libpq (non-blocking), its postmaster as a direct
// child (posix_spawn + pidfd), and the PostgreSQL tools (initdb,
// pg_basebackup, pg_rewind, pg_controldata) as asynchronous children.
// Everything runs on one Asio executor; nothing blocks it.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/result.hpp>
#include <pgwarden/core/task.hpp>
#include <pgwarden/pg/concept.hpp>
#include <pgwarden/pg/controldata.hpp>
#include <pgwarden/pg/controller_config.hpp>
#include <pgwarden/pg/files.hpp>
#include <pgwarden/pg/libpq/connection.hpp>
#include <pgwarden/pg/model.hpp>
#include <pgwarden/pg/process.hpp>
#include <pgwarden/pg/slots.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pgwarden::pg {

/// The callbacks of ha-loop.md 18 (the key names double as the first argument).
enum class callback_action { on_start, on_stop, on_restart, on_reload, on_role_change };
PGWARDEN_DECL const char* to_string(callback_action a) noexcept;
/// The role string of callbacks and the member key: "primary" (3.0.2: "master").
PGWARDEN_DECL const char* role_name(start_role r) noexcept;
/// role_name(), with `master` for primary when `legacy_names` (controller_config::legacy_role_names).
PGWARDEN_DECL const char* role_name(start_role r, bool legacy_names) noexcept;

/** The PostgreSQL controller.
 *
 *  Commands are idempotent; each is bounded by the configured timeouts and
 *  returns error::timeout (condition::timeout) otherwise. A data directory
 *  is removed only by reinitialize() and, when the configuration says so,
 *  after a failed pg_rewind or clone attempt of data this controller wrote.
 *  @see patroni/postgresql/__init__.py, postmaster.py, bootstrap.py, rewind.py
 */
class libpq_controller {
public:
    using executor_type = boost::asio::any_io_executor;

    PGWARDEN_DECL libpq_controller(executor_type ex, controller_config cfg);
    libpq_controller(const libpq_controller&) = delete;
    libpq_controller& operator=(const libpq_controller&) = delete;
    PGWARDEN_DECL ~libpq_controller();

    // ---- pg::controller ---------------------------------------------------
    /// A value snapshot; never changes PostgreSQL (pg_controldata when stopped).
    [[nodiscard]] PGWARDEN_DECL task<result<local_pg_state>> probe();
    /** Writes the configuration and starts the postmaster; waits until it
     *  accepts connections. No-op when running. Returns error::no_data_dir,
     *  error::start_failed (postmaster exited), error::timeout (pg_ctl_timeout).
     */
    [[nodiscard]] PGWARDEN_DECL task<result<void>> start(start_role role);
    /** before_stop, then SIGTERM/SIGINT/SIGQUIT, waits for the exit, on_stop.
     *  No-op when stopped. error::timeout when it does not exit (escalates to
     *  immediate and SIGKILL first if primary_stop_timeout > 0).
     */
    [[nodiscard]] PGWARDEN_DECL task<result<void>> stop(stop_mode mode);
    /** pre_promote (non-zero => error::command_failed), pg_promote(wait),
     *  on_role_change. No-op on a primary; error::not_running when stopped.
     */
    [[nodiscard]] PGWARDEN_DECL task<result<void>> promote();
    /** Replica configuration for `target`: writes it, then starts (stopped),
     *  demotes (running primary: fast stop + start) or reloads/restarts
     *  (running replica whose upstream changed).
     */
    [[nodiscard]] PGWARDEN_DECL task<result<void>> follow(const follow_target& target);
    /** pg_rewind from target: stops PostgreSQL, single-user crash recovery if
     *  needed, runs pg_rewind, writes the replica configuration (PostgreSQL
     *  stays stopped). error::rewind_not_possible; error::command_failed
     *  (the data directory is removed only if configured).
     */
    [[nodiscard]] PGWARDEN_DECL task<result<void>> rewind(const follow_target& target);
    /// Rewrites synchronous_standby_names (ha-loop.md 13.2) and reloads when it changed.
    [[nodiscard]] PGWARDEN_DECL task<result<void>> set_sync_standbys(const sync_names& names);

    // ---- beyond the concept ----------------------------------------------
    /// initdb or the custom bootstrap method, start as primary, post_bootstrap.
    [[nodiscard]] PGWARDEN_DECL task<result<void>> bootstrap();
    /** Clones with create_replica_methods (basebackup, custom). The data
     *  directory must be empty (error::data_dir_not_empty). Does not start.
     */
    [[nodiscard]] PGWARDEN_DECL task<result<void>> create_replica(const std::optional<follow_target>& source);
    /// Stops (immediate), removes the data directory, clones from source.
    [[nodiscard]] PGWARDEN_DECL task<result<void>> reinitialize(const follow_target& source);
    /// Stop (fast) + start in the current role; fires on_restart.
    [[nodiscard]] PGWARDEN_DECL task<result<void>> restart();
    /// Rewrites the configuration and sends SIGHUP; fires on_reload.
    [[nodiscard]] PGWARDEN_DECL task<result<void>> reload();
    /// CHECKPOINT on the local server.
    [[nodiscard]] PGWARDEN_DECL task<result<void>> checkpoint();
    /// Single-user crash recovery (ha-loop.md 9.5). PostgreSQL must be stopped.
    [[nodiscard]] PGWARDEN_DECL task<result<void>> crash_recovery();
    /// Runs pg_controldata.
    [[nodiscard]] PGWARDEN_DECL task<result<controldata>> read_controldata();
    /** Reconciles the slots with `plan` (ha-loop.md 14.2): drops unwanted
     *  ones (active ones are skipped and retried), creates missing physical
     *  ones; on a primary creates the permanent logical slots; on a replica
     *  forces hot_standby_feedback as the plan says, checks the readiness of
     *  copied logical slots, advances them towards plan.targets and, when
     *  plan.primary is set, copies the missing ones (stop, write, start).
     *  Returns error::not_running when PostgreSQL does not answer.
     */
    [[nodiscard]] PGWARDEN_DECL task<result<slot_changes>> sync_slots(const slot_plan& plan);
    /** Copies the logical slots `names` from `primary` (the state file read
     *  with pg_read_binary_file as the rewind user): only those that exist
     *  there, match `wanted` (plugin, database) and the primary is not in
     *  recovery. Then stops PostgreSQL (fast), writes
     *  pg_replslot/<name>/state owned by the PostgreSQL user with the data
     *  directory's permissions, and starts it again in its role. Returns
     *  the names copied (empty: nothing to copy, PostgreSQL untouched);
     *  error::connect_failed / query_failed when the primary cannot be read.
     *  @see patroni/postgresql/slots.py SlotsHandler.copy_logical_slots
     */
    [[nodiscard]] PGWARDEN_DECL task<result<std::vector<std::string>>>
    copy_logical_slots(const follow_target& primary, const std::vector<logical_slot>& wanted,
                       std::vector<std::string> names);
    /** Forces hot_standby_feedback = on in postgresql.conf (permanent logical
     *  slots on a replica); rewrites and reloads when the setting changes
     *  while running.
     */
    [[nodiscard]] PGWARDEN_DECL task<result<void>> set_enforce_hot_standby_feedback(bool value);
    /// Logical slots on this replica not yet known to be safe after a failover (log them on promote).
    const logical_readiness_queue& unready_logical_slots() const noexcept { return logical_queue_; }
    /** Archives the WAL segments whose archive_status is `.ready` with the
     *  archive_command of postgresql.conf (only when archive_mode is on or
     *  always), renaming each archived one to `.done`. Done before crash
     *  recovery and pg_rewind so that WAL a promoted replica never archived
     *  is not lost (Patroni Rewind._archive_ready_wals). Returns the
     *  segments archived; failures are skipped.
     */
    [[nodiscard]] PGWARDEN_DECL task<std::vector<std::string>> archive_ready_wals();
    /// A GUC as the configuration files set it (`postgres -C`); nullopt on failure.
    [[nodiscard]] PGWARDEN_DECL task<std::optional<std::string>> guc_from_file(std::string name);
    /// The role text of callbacks: role_name(role, legacy_role_names).
    const char* role_text() const noexcept { return role_name(role_, cfg_.legacy_role_names); }
    /// A statement on the local server as superuser.
    [[nodiscard]] PGWARDEN_DECL task<result<libpq::query_result>> query(std::string sql);
    /// Sets the parameters and rewrites postgresql.conf (reload() applies them).
    PGWARDEN_DECL void set_parameters(std::map<std::string, std::string> parameters);
    /// Waits until no callback is running (tests, shutdown).
    [[nodiscard]] PGWARDEN_DECL task<void> wait_callbacks(std::chrono::milliseconds timeout);

    PGWARDEN_DECL bool is_running() noexcept;
    std::optional<pid_t> postmaster_pid() const noexcept
    {
        return postmaster_.valid() ? std::optional<pid_t>(postmaster_.pid()) : std::nullopt;
    }
    const controller_config& config() const noexcept { return cfg_; }
    /// The text of the last failure (libpq message or the tool's output).
    const std::string& last_error() const noexcept { return last_error_; }
    PGWARDEN_DECL std::string postgresql_conf_path() const;

private:
    PGWARDEN_DECL std::string bin(const std::string& name) const;
    PGWARDEN_DECL std::map<std::string, std::string> environment(bool postmaster) const;
    PGWARDEN_DECL spawn_request tool(std::vector<std::string> argv) const;
    PGWARDEN_DECL result<void> write_file(const std::string& path, const std::string& content, unsigned mode);
    PGWARDEN_DECL result<void> write_config(start_role role);
    PGWARDEN_DECL result<void> write_pgpass(const std::string& host, const std::string& port,
                                            const auth_user& user);
    PGWARDEN_DECL result<void> prepare_data_dir();
    PGWARDEN_DECL void remove_data_directory();
    PGWARDEN_DECL bool data_dir_empty() const;
    PGWARDEN_DECL int major_version() const;
    PGWARDEN_DECL std::map<std::string, std::string> local_params(bool replication) const;
    PGWARDEN_DECL void adopt_running_postmaster();
    PGWARDEN_DECL void fire(callback_action action);
    PGWARDEN_DECL std::vector<std::string> postmaster_argv(start_role role, const controldata* cd) const;
    [[nodiscard]] PGWARDEN_DECL task<result<void>> run_hook(const std::string& command,
                                                             std::vector<std::string> args);
    [[nodiscard]] PGWARDEN_DECL task<result<run_result>> run_tool(std::vector<std::string> argv,
                                                                   std::chrono::milliseconds timeout,
                                                                   std::map<std::string, std::string> env = {});
    [[nodiscard]] PGWARDEN_DECL task<result<void>> wait_ready(std::chrono::milliseconds timeout);
    [[nodiscard]] PGWARDEN_DECL task<result<void>> spawn_postmaster(start_role role);
    [[nodiscard]] PGWARDEN_DECL task<result<void>> signal_and_wait(int sig, std::chrono::milliseconds timeout);
    [[nodiscard]] PGWARDEN_DECL task<result<void>> post_bootstrap();
    [[nodiscard]] PGWARDEN_DECL task<result<void>> clone_basebackup(const follow_target& source);
    [[nodiscard]] PGWARDEN_DECL task<result<void>> clone_custom(const replica_method& m,
                                                                const std::optional<follow_target>& source);
    [[nodiscard]] PGWARDEN_DECL task<result<void>> sleep(std::chrono::milliseconds d);
    PGWARDEN_DECL std::map<std::string, std::string> remote_params(const conn_url_parts& url,
                                                                   const auth_user& user) const;
    PGWARDEN_DECL const auth_user& rewind_user() const;
    [[nodiscard]] PGWARDEN_DECL task<result<void>> ensure_source_checkpoint(const follow_target& target);
    [[nodiscard]] PGWARDEN_DECL task<void> check_logical_readiness(const slot_plan& plan,
                                                                   const std::vector<slot_info>& present);
    [[nodiscard]] PGWARDEN_DECL task<std::map<std::string, param_change>> pending_restart_reason();

    executor_type ex_;
    controller_config cfg_;
    std::optional<run_as_user> run_as_;
    process postmaster_;
    bool stop_requested_ = false;
    bool crashed_ = false;
    bool callbacks_suppressed_ = false;
    start_role role_ = start_role::primary;
    std::optional<follow_target> follow_;
    std::string sync_value_;
    libpq::connection conn_;
    process callback_;
    process reload_callback_;
    std::string last_error_;
    bool enforce_hot_standby_feedback_ = false;
    bool force_readiness_check_ = false;      ///< set at each start: re-check every logical slot
    logical_readiness_queue logical_queue_;
    /// pending_restart_reason: the postmaster parameters raised to pg_control's values at start.
    std::map<std::string, param_change> start_reason_;
    /// `postgres -C` results for pending GUCs: name -> (running value, file value), valid for one conf write.
    std::map<std::string, std::pair<std::string, std::string>> pending_cache_;
    std::uint64_t conf_generation_ = 0, pending_cache_generation_ = 0;
};

static_assert(controller<libpq_controller>);

} // namespace pgwarden::pg

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/pg/impl/libpq_controller.ipp>
#endif
