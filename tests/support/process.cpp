// Process helpers for integration tests (see process.hpp).
#include "support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace pgwarden::test {
namespace fs = std::filesystem;

unsigned short free_port()
{
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("free_port: socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("free_port: bind failed");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

bool port_open(unsigned short port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

std::optional<user_ids> lookup_user(const std::string& name)
{
    passwd pw{};
    passwd* out = nullptr;
    char buf[4096];
    if (::getpwnam_r(name.c_str(), &pw, buf, sizeof buf, &out) != 0 || !out) return std::nullopt;
    return user_ids{pw.pw_uid, pw.pw_gid, pw.pw_dir ? pw.pw_dir : ""};
}

void chown_tree(const std::string& path, const std::string& user)
{
    auto ids = lookup_user(user);
    if (!ids) throw std::runtime_error("chown_tree: no user " + user);
    ::chown(path.c_str(), ids->uid, ids->gid);
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(path, ec); it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (ec) break;
        ::lchown(it->path().c_str(), ids->uid, ids->gid);
    }
}

temp_dir::temp_dir(const std::string& prefix, const std::optional<std::string>& owner)
{
    std::string tmpl = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) throw std::runtime_error("temp_dir: mkdtemp failed");
    path_ = buf.data();
    ::chmod(path_.c_str(), 0755);
    if (owner) chown_tree(path_, *owner);
}

temp_dir::~temp_dir()
{
    if (const char* keep = std::getenv("PGWARDEN_KEEP_TMP"); keep && *keep == '1') return;
    std::error_code ec;
    fs::remove_all(path_, ec);
}

child& child::operator=(child&& o) noexcept
{
    if (this != &o) {
        if (pid_ > 0 && running()) stop(SIGKILL, std::chrono::seconds(5));
        pid_ = o.pid_;
        name_ = std::move(o.name_);
        status_ = o.status_;
        o.pid_ = -1;
    }
    return *this;
}

child::~child()
{
    if (pid_ > 0 && running()) stop(SIGKILL, std::chrono::seconds(5));
}

bool child::running()
{
    if (pid_ <= 0 || status_) return false;
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        status_ = st;
        return false;
    }
    return r == 0;
}

void child::signal(int sig) const
{
    if (pid_ > 0 && !status_) ::kill(pid_, sig);
}

std::optional<int> child::wait(std::chrono::milliseconds timeout)
{
    if (pid_ <= 0) return std::nullopt;
    if (status_) return status_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));   // poll for the exit
    }
    return status_;
}

int child::stop(int sig, std::chrono::milliseconds timeout)
{
    if (pid_ <= 0) return -1;
    signal(sig);
    if (auto st = wait(timeout)) return *st;
    signal(SIGKILL);
    auto st = wait(std::chrono::seconds(10));
    return st ? *st : -1;
}

namespace {

std::vector<std::string> build_env(const spawn_options& opts, const std::optional<user_ids>& ids,
                                   const std::string& user)
{
    std::map<std::string, std::string> env;
    for (char** e = environ; *e; ++e) {
        std::string kv(*e);
        auto eq = kv.find('=');
        if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    if (ids) {
        env["HOME"] = ids->home;
        env["USER"] = user;
        env["LOGNAME"] = user;
    }
    for (const auto& k : opts.unset_env) env.erase(k);
    for (const auto& [k, v] : opts.env) env[k] = v;
    std::vector<std::string> out;
    for (const auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
}

} // namespace

child spawn(const std::vector<std::string>& argv, const spawn_options& opts)
{
    if (argv.empty()) throw std::invalid_argument("spawn: empty argv");
    std::optional<user_ids> ids;
    if (opts.run_as) {
        ids = lookup_user(*opts.run_as);
        if (!ids) throw std::runtime_error("spawn: no user " + *opts.run_as);
    }
    auto env = build_env(opts, ids, opts.run_as.value_or(""));
    std::vector<char*> cargv, cenv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    for (const auto& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
    cenv.push_back(nullptr);

    int out_fd = opts.log_file.empty()
                     ? ::open("/dev/null", O_WRONLY | O_CLOEXEC)
                     : ::open(opts.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out_fd < 0) throw std::runtime_error("spawn: cannot open log " + opts.log_file);
    if (ids && !opts.log_file.empty()) (void)::fchown(out_fd, ids->uid, ids->gid);
    int null_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

    pid_t pid = ::fork();   // the test process is small; tests may fork
    if (pid < 0) throw std::runtime_error("spawn: fork failed");
    if (pid == 0) {
        ::setpgid(0, 0);
        ::dup2(null_in, 0);
        ::dup2(out_fd, 1);
        ::dup2(out_fd, 2);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (ids) {
            if (::initgroups(opts.run_as->c_str(), ids->gid) != 0 || ::setgid(ids->gid) != 0 ||
                ::setuid(ids->uid) != 0)
                ::_exit(126);
        }
        if (!opts.cwd.empty() && ::chdir(opts.cwd.c_str()) != 0) ::_exit(126);
        ::execvpe(cargv[0], cargv.data(), cenv.data());
        ::_exit(127);
    }
    ::close(out_fd);
    ::close(null_in);
    return child(pid, argv[0]);
}

int run(const std::vector<std::string>& argv, std::string* output, const spawn_options& opts,
        std::chrono::milliseconds timeout)
{
    spawn_options o = opts;
    std::optional<temp_dir> tmp;
    if (output && o.log_file.empty()) {
        tmp.emplace("pgwarden-run", opts.run_as);
        o.log_file = *tmp / "out.log";
    }
    child c = spawn(argv, o);
    auto st = c.wait(timeout);
    if (!st) st = c.stop(SIGKILL);
    if (output) *output = read_file(o.log_file);
    if (WIFEXITED(*st)) return WEXITSTATUS(*st);
    if (WIFSIGNALED(*st)) return 128 + WTERMSIG(*st);
    return -1;
}

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (pred()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(interval);   // polling interval of a deadline-bounded wait
    }
}

std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const std::string& path, const std::string& content, unsigned mode)
{
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << content;
    }
    ::chmod(path.c_str(), mode);
}

} // namespace pgwarden::test
