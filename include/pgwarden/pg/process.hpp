// Child processes on Asio: posix_spawn (never fork), waited for through a
// pidfd (Linux 5.3+) so that each child is reaped asynchronously and
// independently, with no SIGCHLD handler and no thread.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/result.hpp>
#include <pgwarden/core/task.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgwarden::pg {

/// A user to run children as (we may be root; PostgreSQL refuses root).
struct run_as_user {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
};
/// Looks a user up in the password database; error::invalid_option if missing.
[[nodiscard]] PGWARDEN_DECL result<run_as_user> lookup_run_as(const std::string& name);

/// How to start a child.
struct spawn_request {
    std::vector<std::string> argv;          ///< argv[0]: absolute path, or looked up in PATH
    std::map<std::string, std::string> env; ///< the complete environment
    std::string output_file;                ///< stdout+stderr appended here; empty => /dev/null
    bool inherit_output = false;            ///< stdout+stderr are ours (overrides output_file)
    bool capture_output = false;            ///< stdout+stderr collected (overrides output_file)
    std::optional<run_as_user> run_as;      ///< via setpriv(1), which execs: the PID stays the child's
    bool new_process_group = true;          ///< so that kill_group() also stops grandchildren
};

/** One child (or an adopted process such as a postmaster found running).
 *  Move-only; the destructor does not kill: a postmaster outlives us.
 */
class process {
public:
    process() = default;
    process(process&& o) noexcept;
    process& operator=(process&& o) noexcept;
    process(const process&) = delete;
    process& operator=(const process&) = delete;
    ~process();

    /// Starts a child. Returns error::spawn_failed when posix_spawn or pidfd_open fails.
    [[nodiscard]] static result<process> spawn(const spawn_request& req);
    /// Watches a process we did not start (no reaping). error::not_running if it is gone.
    [[nodiscard]] static result<process> adopt(pid_t pid);

    pid_t pid() const noexcept { return pid_; }
    bool valid() const noexcept { return pid_ > 0; }
    /// Non-blocking: has the process exited? Reaps our own child.
    bool exited() noexcept;
    /// The wait status once exited (own children only).
    std::optional<int> status() const noexcept { return status_; }
    /// kill(pid, sig) unless it has exited.
    void signal(int sig) noexcept;
    /// kill(-pid, sig) for a child started in its own group, else signal().
    void kill_group(int sig) noexcept;

    /** Waits for the exit. Returns the wait status (0 for adopted processes),
     *  error::timeout when `timeout` passes first (the process keeps running).
     */
    [[nodiscard]] task<result<int>> wait(std::chrono::milliseconds timeout);

    /// Output collected so far (capture_output), read until EOF by wait().
    const std::string& output() const noexcept { return output_; }

private:
    pid_t pid_ = -1;
    int pidfd_ = -1;
    int out_fd_ = -1;
    bool own_ = false;
    bool group_ = false;
    std::optional<int> status_;
    std::string output_;
};

/// The result of run(): exit code (128+signal when killed) and output.
struct run_result {
    int exit_code = -1;
    std::string output;
};

/** Runs a child to completion. On timeout the whole process group gets
 *  SIGKILL and the result is error::timeout.
 */
[[nodiscard]] PGWARDEN_DECL task<result<run_result>> run_command(spawn_request req,
                                                                  std::chrono::milliseconds timeout);

/// Exit code from a wait status: the code, or 128+signal.
PGWARDEN_DECL int exit_code_of(int wait_status) noexcept;

/// This process's environment as a map.
PGWARDEN_DECL std::map<std::string, std::string> current_environment();

/// Splits a command line shell-style (quotes and backslashes; no expansion).
PGWARDEN_DECL std::vector<std::string> split_command(const std::string& command);

} // namespace pgwarden::pg

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/pg/impl/process.ipp>
#endif
