#pragma once
#include <pgwarden/pg/error.hpp>
#include <pgwarden/pg/process.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace pgwarden::pg {
namespace detail {
// glibc 2.36's <sys/pidfd.h> lacks extern "C"; the raw system calls are used instead.
inline int sys_pidfd_open(pid_t pid) noexcept { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
inline int sys_pidfd_send_signal(int fd, int sig) noexcept
{
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0));
}
} // namespace detail

PGWARDEN_DECL result<run_as_user> lookup_run_as(const std::string& name)
{
    struct passwd pw {};
    struct passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr)
        return make_error_code(error::invalid_option);
    return run_as_user{name, pw.pw_uid, pw.pw_gid};
}

PGWARDEN_DECL int exit_code_of(int wait_status) noexcept
{
    if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
    return -1;
}

PGWARDEN_DECL std::map<std::string, std::string> current_environment()
{
    std::map<std::string, std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string_view kv(*e);
        auto eq = kv.find('=');
        if (eq == std::string_view::npos) continue;
        out.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    }
    return out;
}

PGWARDEN_DECL std::vector<std::string> split_command(const std::string& command)
{
    std::vector<std::string> out;
    std::string cur;
    bool have = false;
    char quote = 0;
    for (std::size_t i = 0; i < command.size(); ++i) {
        const char c = command[i];
        if (quote == '\'') {
            if (c == '\'') quote = 0;
            else cur.push_back(c);
        } else if (quote == '"') {
            if (c == '"') quote = 0;
            else if (c == '\\' && i + 1 < command.size() &&
                     std::strchr("\"\\$`", command[i + 1]) != nullptr) cur.push_back(command[++i]);
            else cur.push_back(c);
        } else if (c == '\'' || c == '"') {
            quote = c;
            have = true;
        } else if (c == '\\' && i + 1 < command.size()) {
            cur.push_back(command[++i]);
            have = true;
        } else if (c == ' ' || c == '\t' || c == '\n') {
            if (have || !cur.empty()) out.push_back(std::move(cur));
            cur.clear();
            have = false;
        } else {
            cur.push_back(c);
        }
    }
    if (have || !cur.empty()) out.push_back(std::move(cur));
    return out;
}

PGWARDEN_DECL process::process(process&& o) noexcept
    : pid_(o.pid_), pidfd_(o.pidfd_), out_fd_(o.out_fd_), own_(o.own_), group_(o.group_),
      status_(o.status_), output_(std::move(o.output_))
{
    o.pid_ = -1;
    o.pidfd_ = -1;
    o.out_fd_ = -1;
}

PGWARDEN_DECL process& process::operator=(process&& o) noexcept
{
    if (this != &o) {
        this->~process();
        new (this) process(std::move(o));
    }
    return *this;
}

PGWARDEN_DECL process::~process()
{
    if (pidfd_ >= 0) ::close(pidfd_);
    if (out_fd_ >= 0) ::close(out_fd_);
}

PGWARDEN_DECL result<process> process::spawn(const spawn_request& req)
{
    if (req.argv.empty()) return make_error_code(error::spawn_failed);
    std::vector<std::string> argv;
    if (req.run_as) {
        argv = {"setpriv", "--reuid=" + std::to_string(req.run_as->uid),
                "--regid=" + std::to_string(req.run_as->gid), "--init-groups", "--"};
    }
    argv.insert(argv.end(), req.argv.begin(), req.argv.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    std::vector<std::string> envs;
    for (const auto& [k, v] : req.env) envs.push_back(k + "=" + v);
    std::vector<char*> cenv;
    for (auto& e : envs) cenv.push_back(e.data());
    cenv.push_back(nullptr);

    int pipefd[2] = {-1, -1};
    if (req.capture_output && ::pipe2(pipefd, O_CLOEXEC) != 0) return make_error_code(error::spawn_failed);

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (req.capture_output) {
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
    } else if (!req.inherit_output) {
        const char* out = req.output_file.empty() ? "/dev/null" : req.output_file.c_str();
        posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_APPEND, 0600);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
    }
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (req.new_process_group) {
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(&attr, 0);
    }
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, flags);

    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, cargv[0], &fa, &attr, cargv.data(), cenv.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (req.capture_output) ::close(pipefd[1]);
    if (rc != 0) {
        if (req.capture_output) ::close(pipefd[0]);
        return make_error_code(error::spawn_failed);
    }
    process p;
    p.pid_ = pid;
    p.own_ = true;
    p.group_ = req.new_process_group;
    p.out_fd_ = req.capture_output ? pipefd[0] : -1;
    // A child that already exited is a zombie until reaped, so pidfd_open works.
    p.pidfd_ = detail::sys_pidfd_open(pid);
    if (p.pidfd_ < 0) {
        ::kill(pid, SIGKILL);
        int st = 0;
        ::waitpid(pid, &st, 0);
        return make_error_code(error::spawn_failed);
    }
    return p;
}

PGWARDEN_DECL result<process> process::adopt(pid_t pid)
{
    if (pid <= 0) return make_error_code(error::not_running);
    process p;
    p.pid_ = pid;
    p.pidfd_ = detail::sys_pidfd_open(pid);
    if (p.pidfd_ < 0) return make_error_code(error::not_running);
    return p;
}

PGWARDEN_DECL bool process::exited() noexcept
{
    if (pid_ <= 0) return true;
    if (status_) return true;
    if (own_) {
        int st = 0;
        const pid_t r = ::waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            status_ = st;
            return true;
        }
        return r < 0 && errno == ECHILD;
    }
    struct pollfd pfd {pidfd_, POLLIN, 0};
    if (::poll(&pfd, 1, 0) > 0) {
        status_ = 0;
        return true;
    }
    return false;
}

PGWARDEN_DECL void process::signal(int sig) noexcept
{
    if (pidfd_ >= 0 && !exited()) detail::sys_pidfd_send_signal(pidfd_, sig);
}

PGWARDEN_DECL void process::kill_group(int sig) noexcept
{
    if (group_ && own_ && !exited()) ::kill(-pid_, sig);
    signal(sig);
}

// GCC 12 reports a false -Wmismatched-new-delete for Asio's recycled
// coroutine frames when this function is inlined (GCC bug 109224 family).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
PGWARDEN_DECL task<result<int>> process::wait(std::chrono::milliseconds timeout)
{
    using namespace boost::asio::experimental::awaitable_operators;
    namespace asio = boost::asio;
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex, timeout);
    const auto token = asio::as_tuple(asio::use_awaitable);

    if (out_fd_ >= 0) {
        asio::posix::stream_descriptor out(ex, out_fd_);
        out_fd_ = -1;
        char buf[4096];
        for (;;) {
            auto r = co_await (out.async_read_some(asio::buffer(buf), token) || timer.async_wait(token));
            if (r.index() == 1) co_return make_error_code(error::timeout);
            auto [ec, n] = std::get<0>(r);
            output_.append(buf, n);
            if (ec) break;   // EOF: every writer closed its end
        }
    }
    while (!exited()) {
        asio::posix::stream_descriptor fd(ex, ::dup(pidfd_));
        auto r = co_await (fd.async_wait(asio::posix::descriptor_base::wait_read, token) ||
                           timer.async_wait(token));
        if (r.index() == 1 && !exited()) co_return make_error_code(error::timeout);
    }
    co_return status_.value_or(0);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

PGWARDEN_DECL task<result<run_result>> run_command(spawn_request req, std::chrono::milliseconds timeout)
{
    req.capture_output = true;
    auto p = process::spawn(req);
    if (!p) co_return p.error();
    auto st = co_await p->wait(timeout);
    if (!st) {
        p->kill_group(SIGKILL);
        (void)co_await p->wait(std::chrono::seconds(5));   // reap; the error is the timeout
        co_return st.error();
    }
    co_return run_result{exit_code_of(*st), p->output()};
}

} // namespace pgwarden::pg
