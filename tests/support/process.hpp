// Process helpers for integration tests: free ports, temporary directories,
// child processes started and stopped by PID, polling with a deadline.
//
// Tests run as root, PostgreSQL refuses root: `run_as` starts a child as
// another user (setpriv semantics: uid, gid and supplementary groups).
#pragma once
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgwarden::test {

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0).
unsigned short free_port();

/// True when something accepts TCP connections on 127.0.0.1:port.
bool port_open(unsigned short port);

/** A temporary directory removed (recursively) on destruction.
 *  With an owner, the directory is chowned to that user so that a child run
 *  as that user can write into it. Set PGWARDEN_KEEP_TMP=1 to keep it.
 */
class temp_dir {
public:
    explicit temp_dir(const std::string& prefix = "pgwarden-test",
                      const std::optional<std::string>& owner = std::nullopt);
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir();
    const std::string& path() const noexcept { return path_; }
    /// path() + "/" + name
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

/// Makes `path` (and its parents below an existing directory) owned by `user`.
void chown_tree(const std::string& path, const std::string& user);

struct spawn_options {
    std::map<std::string, std::string> env;      ///< added to (or replacing in) the parent's env
    std::vector<std::string> unset_env;          ///< removed from the child's env
    std::string cwd;                             ///< empty: inherit
    std::string log_file;                        ///< stdout+stderr appended here; empty: /dev/null
    std::optional<std::string> run_as;           ///< user name, e.g. "postgres"
};

/** A child process, stopped with SIGKILL by its PID on destruction if still running. */
class child {
public:
    child() = default;
    child(pid_t pid, std::string name) : pid_(pid), name_(std::move(name)) {}
    child(child&& o) noexcept : pid_(o.pid_), name_(std::move(o.name_)), status_(o.status_) { o.pid_ = -1; }
    child& operator=(child&& o) noexcept;
    ~child();

    pid_t pid() const noexcept { return pid_; }
    bool running();                              ///< reaps without blocking
    void signal(int sig) const;                  ///< kill(pid, sig) if running
    /// Waits for the exit; returns the wait status, or nullopt at the deadline.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    /// signal(sig), then wait; SIGKILL if it did not exit within timeout. Returns the wait status.
    int stop(int sig = 15, std::chrono::milliseconds timeout = std::chrono::seconds(30));

private:
    pid_t pid_ = -1;
    std::string name_;
    std::optional<int> status_;
};

/// Starts argv[0] (looked up in PATH) with argv.
child spawn(const std::vector<std::string>& argv, const spawn_options& opts = {});

/// Runs a command to completion; returns its exit code (128+signal when killed).
/// `output` receives stdout and stderr together when not null.
int run(const std::vector<std::string>& argv, std::string* output = nullptr,
        const spawn_options& opts = {}, std::chrono::milliseconds timeout = std::chrono::minutes(5));

/// Polls `pred` every `interval` until it is true (returns true) or `timeout` passes (false).
bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(20));

/// Reads a whole file ("" if missing).
std::string read_file(const std::string& path);
/// Writes a whole file (mode 0644 unless given).
void write_file(const std::string& path, const std::string& content, unsigned mode = 0644);

/// Looks a user up; nullopt if missing.
struct user_ids { uid_t uid; gid_t gid; std::string home; };
std::optional<user_ids> lookup_user(const std::string& name);

} // namespace pgwarden::test
