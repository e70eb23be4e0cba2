#pragma once
#include <pgwarden/core/mark.hpp>
#include <pgwarden/pg/error.hpp>
#include <pgwarden/pg/files.hpp>
#include <pgwarden/pg/libpq_controller.hpp>
#include <pgwarden/pg/settings.hpp>
#include <pgwarden/pg/sync_standby_names.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include <filesystem>
#include <fstream>
#include <sstream>

// See process.ipp: GCC 12 false positives on Asio coroutine frames.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace pgwarden::pg {
namespace detail {

inline std::string read_text(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    if (!f) return {};
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

inline std::optional<lsn> parse_lsn_opt(const std::optional<std::string>& v)
{
    if (!v) return std::nullopt;
    return lsn::parse(*v);
}

inline std::string role_sql(const auth_user& u, const char* attrs)
{
    std::string s = "DO $$BEGIN SET local synchronous_commit = 'local'; IF NOT EXISTS (SELECT 1 FROM "
                    "pg_catalog.pg_roles WHERE rolname = " + libpq::quote_literal(u.username) +
                    ") THEN CREATE ROLE " + libpq::quote_ident(u.username) + " WITH " + attrs + "; END IF; "
                    "ALTER ROLE " + libpq::quote_ident(u.username) + " WITH " + attrs;
    if (u.password) s += " PASSWORD " + libpq::quote_literal(*u.password);
    return s + "; END$$";
}

struct flag_reset {
    bool& flag;
    ~flag_reset() { flag = false; }
};

inline bool truthy(const std::optional<std::string>& v) { return v && (*v == "t" || *v == "true" || *v == "on"); }

inline std::optional<std::uint64_t> parse_u64_opt(const std::optional<std::string>& v)
{
    if (!v || v->empty()) return std::nullopt;
    return std::strtoull(v->c_str(), nullptr, 10);
}

inline std::string lower(std::string s)
{
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// ARRAY['a','b']::text[] for a list of names.
inline std::string text_array(const std::vector<std::string>& names)
{
    std::string out = "ARRAY[";
    for (std::size_t i = 0; i < names.size(); ++i) out += (i ? "," : "") + libpq::quote_literal(names[i]);
    return out + "]::text[]";
}

/// Writes `data` to a new file with `mode`, fsynced (slot state files).
inline bool write_synced(const std::string& path, const std::string& data, unsigned mode)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return false;
    std::size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n <= 0) {
            ::close(fd);
            return false;
        }
        off += static_cast<std::size_t>(n);
    }
    const bool ok = ::fsync(fd) == 0;
    return ::close(fd) == 0 && ok;
}

inline void fsync_dir(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)::fsync(fd);   // best effort, as Patroni's fsync_dir
    ::close(fd);
}

} // namespace detail

PGWARDEN_DECL const char* to_string(callback_action a) noexcept
{
    switch (a) {
    case callback_action::on_start: return "on_start";
    case callback_action::on_stop: return "on_stop";
    case callback_action::on_restart: return "on_restart";
    case callback_action::on_reload: return "on_reload";
    case callback_action::on_role_change: return "on_role_change";
    }
    return "on_unknown";
}

PGWARDEN_DECL const char* role_name(start_role r) noexcept
{
    switch (r) {
    case start_role::primary: return "primary";
    case start_role::replica: return "replica";
    case start_role::standby_leader: return "standby_leader";
    }
    return "replica";
}

PGWARDEN_DECL const char* role_name(start_role r, bool legacy_names) noexcept
{
    // Patroni 3.0.2 called the primary "master" in callbacks and member keys.
    if (legacy_names && r == start_role::primary) return "master";
    return role_name(r);
}

PGWARDEN_DECL libpq_controller::libpq_controller(executor_type ex, controller_config cfg)
    : ex_(std::move(ex)), cfg_(std::move(cfg))
{
    if (cfg_.config_dir.empty()) cfg_.config_dir = cfg_.data_dir;
    if (cfg_.pgpass.empty())
        cfg_.pgpass = (std::filesystem::path(cfg_.data_dir).parent_path() / ("pgpass_" + cfg_.name)).string();
    if (cfg_.run_as) {
        auto u = lookup_run_as(*cfg_.run_as);
        if (u) run_as_ = *u;
    }
    if (auto it = cfg_.parameters.find("synchronous_standby_names"); it != cfg_.parameters.end())
        sync_value_ = it->second;
    adopt_running_postmaster();
}

PGWARDEN_DECL libpq_controller::~libpq_controller() = default;

PGWARDEN_DECL std::string libpq_controller::postgresql_conf_path() const
{
    return cfg_.config_dir + "/" + cfg_.config_base_name + ".conf";
}

PGWARDEN_DECL std::string libpq_controller::bin(const std::string& name) const
{
    std::string exe = name;
    if (auto it = cfg_.bin_name.find(name); it != cfg_.bin_name.end()) exe = it->second;
    if (cfg_.bin_dir.empty() || exe.find('/') != std::string::npos) return exe;
    return cfg_.bin_dir + "/" + exe;
}

PGWARDEN_DECL std::map<std::string, std::string> libpq_controller::environment(bool postmaster) const
{
    // config.md 9.3: strip NOTIFY_SOCKET, PATRONI_*, KUBERNETES_*; rename PG_MALLOC_ARENA_MAX.
    auto env = current_environment();
    std::map<std::string, std::string> out;
    for (auto& [k, v] : env) {
        if (k == "NOTIFY_SOCKET" || k.starts_with("PATRONI_") || k.starts_with("KUBERNETES_")) continue;
        if (postmaster && k == "MALLOC_ARENA_MAX") continue;
        out.emplace(k, v);
    }
    if (postmaster) {
        if (auto it = out.find("PG_MALLOC_ARENA_MAX"); it != out.end()) {
            out["MALLOC_ARENA_MAX"] = it->second;
            out.erase("PG_MALLOC_ARENA_MAX");
        }
    }
    for (const auto& [k, v] : cfg_.extra_env) out[k] = v;
    return out;
}

PGWARDEN_DECL spawn_request libpq_controller::tool(std::vector<std::string> argv) const
{
    spawn_request r;
    r.argv = std::move(argv);
    r.env = environment(false);
    r.env["LANG"] = "C";
    r.env["LC_ALL"] = "C";
    r.run_as = run_as_;
    return r;
}

PGWARDEN_DECL result<void> libpq_controller::write_file(const std::string& path, const std::string& content,
                                                        unsigned mode)
{
    const std::string tmp = path + ".pgwarden-tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) return make_error_code(error::io_failed);
        f << content;
        if (!f.flush()) return make_error_code(error::io_failed);
    }
    ::chmod(tmp.c_str(), mode);
    if (run_as_ && ::chown(tmp.c_str(), run_as_->uid, run_as_->gid) != 0) return make_error_code(error::io_failed);
    if (::rename(tmp.c_str(), path.c_str()) != 0) return make_error_code(error::io_failed);
    return {};
}

PGWARDEN_DECL bool libpq_controller::data_dir_empty() const
{
    std::error_code ec;
    if (!std::filesystem::exists(cfg_.data_dir, ec)) return true;
    return std::filesystem::is_empty(cfg_.data_dir, ec) || ec;
}

PGWARDEN_DECL int libpq_controller::major_version() const
{
    auto text = detail::read_text(cfg_.data_dir + "/PG_VERSION");
    if (text.empty()) return 150000;
    auto dot = text.find('.');
    int major = std::atoi(text.c_str());
    if (major < 10 && dot != std::string::npos) return major * 10000 + std::atoi(text.c_str() + dot + 1) * 100;
    return major * 10000;
}

PGWARDEN_DECL result<void> libpq_controller::prepare_data_dir()
{
    std::error_code ec;
    std::filesystem::create_directories(cfg_.data_dir, ec);
    if (ec) return make_error_code(error::io_failed);
    ::chmod(cfg_.data_dir.c_str(), 0700);
    if (run_as_ && ::chown(cfg_.data_dir.c_str(), run_as_->uid, run_as_->gid) != 0)
        return make_error_code(error::io_failed);
    return {};
}

PGWARDEN_DECL void libpq_controller::remove_data_directory()
{
    PGWARDEN_MARK("pg: remove data directory");
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(cfg_.data_dir, ec))
        std::filesystem::remove_all(e.path(), ec);
}

PGWARDEN_DECL std::map<std::string, std::string> libpq_controller::local_params(bool replication) const
{
    const auto lp = parse_listen(cfg_.listen);
    std::map<std::string, std::string> p;
    const auto& user = replication ? cfg_.replication : cfg_.superuser;
    p["host"] = lp.local_host;
    if (cfg_.use_unix_socket) {
        if (auto it = cfg_.parameters.find("unix_socket_directories"); it != cfg_.parameters.end()) {
            auto first = it->second.substr(0, it->second.find(','));
            if (first.starts_with('/')) p["host"] = first;
        }
    }
    p["port"] = lp.port;
    p["user"] = user.username;
    if (user.password) p["password"] = *user.password;
    for (const auto& [k, v] : user.ssl) p[k] = v;
    p["dbname"] = cfg_.database;
    p["application_name"] = "Patroni";
    p["connect_timeout"] = std::to_string(std::max<long long>(
        2, std::chrono::duration_cast<std::chrono::seconds>(cfg_.connect_timeout).count()));
    p["options"] = "-c statement_timeout=" + std::to_string(cfg_.statement_timeout.count());
    if (replication) p["replication"] = "1";
    return p;
}

PGWARDEN_DECL void libpq_controller::adopt_running_postmaster()
{
    // postmaster.pid: line 1 the PID, line 2 the data directory.
    auto text = detail::read_text(cfg_.data_dir + "/postmaster.pid");
    if (text.empty()) return;
    const pid_t pid = static_cast<pid_t>(std::atol(text.c_str()));
    if (pid <= 0 || ::kill(pid, 0) != 0) return;
    auto p = process::adopt(pid);
    if (p) {
        PGWARDEN_MARK("pg: adopted running postmaster");
        postmaster_ = std::move(*p);
    }
}

PGWARDEN_DECL bool libpq_controller::is_running() noexcept
{
    if (!postmaster_.valid()) adopt_running_postmaster();
    if (!postmaster_.valid()) return false;
    if (postmaster_.exited()) {
        if (!stop_requested_) {
            PGWARDEN_MARK("pg: postmaster crashed");
            crashed_ = true;
        }
        postmaster_ = process{};
        conn_.close();
        return false;
    }
    return true;
}

PGWARDEN_DECL task<result<void>> libpq_controller::sleep(std::chrono::milliseconds d)
{
    boost::asio::steady_timer t(ex_, d);
    (void)co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));   // cancellation = wake up
    co_return result<void>{};
}

PGWARDEN_DECL task<result<run_result>> libpq_controller::run_tool(std::vector<std::string> argv,
                                                                  std::chrono::milliseconds timeout,
                                                                  std::map<std::string, std::string> env)
{
    auto req = tool(std::move(argv));
    for (auto& [k, v] : env) req.env[k] = v;
    auto r = co_await run_command(std::move(req), timeout);
    if (!r) {
        last_error_ = r.error().message();
        co_return r.error();
    }
    if (r->exit_code != 0) last_error_ = r->output;
    co_return r;
}

PGWARDEN_DECL task<result<controldata>> libpq_controller::read_controldata()
{
    std::vector<std::string> argv{bin("pg_controldata"), cfg_.data_dir};
    auto r = co_await run_tool(std::move(argv), cfg_.pg_ctl_timeout);
    if (!r) co_return r.error();
    if (r->exit_code != 0) co_return make_error_code(error::command_failed);
    co_return parse_controldata(r->output);
}

PGWARDEN_DECL result<void> libpq_controller::write_pgpass(const std::string& host, const std::string& port,
                                                          const auth_user& user)
{
    if (!user.password) return {};
    return write_file(cfg_.pgpass, render_pgpass(host, port, user.username, *user.password), 0600);
}

PGWARDEN_DECL result<void> libpq_controller::write_config(start_role role)
{
    const int major = major_version();
    const std::string conf = postgresql_conf_path();
    const std::string base = cfg_.config_dir + "/" + cfg_.config_base_name + ".base.conf";
    std::error_code ec;
    // Patroni: the original postgresql.conf becomes postgresql.base.conf on the first write.
    if (!cfg_.custom_conf && !std::filesystem::exists(base, ec)) {
        if (std::filesystem::exists(conf, ec)) std::filesystem::rename(conf, base, ec);
        else if (auto r = write_file(base, "", 0600); !r) return r;
        if (ec) return make_error_code(error::io_failed);
    }
    postgresql_conf pc;
    pc.include = cfg_.custom_conf ? *cfg_.custom_conf : cfg_.config_base_name + ".base.conf";
    pc.parameters = conf_parameters(cfg_, major);
    pc.parameters.erase("synchronous_standby_names");
    if (!sync_value_.empty()) pc.parameters["synchronous_standby_names"] = sync_value_;
    // Permanent logical slots on a replica need feedback (Patroni write_postgresql_conf).
    if (enforce_hot_standby_feedback_) pc.parameters["hot_standby_feedback"] = "on";
    ++conf_generation_;
    pc.hba_file = cfg_.config_dir + "/pg_hba.conf";
    pc.ident_file = cfg_.config_dir + "/pg_ident.conf";

    const bool replica = role != start_role::primary;
    const auto rp = build_recovery_params(cfg_, replica ? follow_ : std::nullopt, major);
    auto recovery = rp.params;
    if (!rp.primary_conninfo.empty()) {
        if (rp.primary_conninfo.contains("password")) {
            if (auto r = write_pgpass(rp.primary_conninfo.at("host"), rp.primary_conninfo.at("port"),
                                      cfg_.replication);
                !r)
                return r;
        }
        recovery["primary_conninfo"] = render_primary_conninfo(rp.primary_conninfo, major, cfg_.pgpass);
    }
    const std::string standby_signal = cfg_.data_dir + "/standby.signal";
    const std::string recovery_signal = cfg_.data_dir + "/recovery.signal";
    if (major >= 120000) {
        if (replica) {
            recovery.erase("standby_mode");
            pc.recovery = recovery;
            if (auto r = write_file(standby_signal, "", 0600); !r) return r;
        } else {
            std::filesystem::remove(standby_signal, ec);
            std::filesystem::remove(recovery_signal, ec);
        }
        const std::string auto_conf = cfg_.data_dir + "/postgresql.auto.conf";
        if (auto cleaned = sanitize_auto_conf(detail::read_text(auto_conf)))
            if (auto r = write_file(auto_conf, *cleaned, 0600); !r) return r;
    } else {
        const std::string rc = cfg_.data_dir + "/recovery.conf";
        if (replica) {
            if (auto r = write_file(rc, render_recovery_conf(recovery), 0600); !r) return r;
        } else {
            std::filesystem::remove(rc, ec);
        }
    }
    if (auto r = write_file(conf, render_postgresql_conf(pc), 0600); !r) return r;
    if (!cfg_.pg_hba.empty() && !cfg_.parameters.contains("hba_file"))
        if (auto r = write_file(pc.hba_file, render_managed_lines(cfg_.pg_hba), 0600); !r) return r;
    if (!cfg_.pg_ident.empty() && !cfg_.parameters.contains("ident_file"))
        if (auto r = write_file(pc.ident_file, render_managed_lines(cfg_.pg_ident), 0600); !r) return r;
    return {};
}

PGWARDEN_DECL std::vector<std::string> libpq_controller::postmaster_argv(start_role role,
                                                                         const controldata* cd) const
{
    std::vector<std::string> argv{bin("postgres"), "-D", cfg_.data_dir, "--config-file=" + postgresql_conf_path()};
    for (const auto& [k, v] : forced_parameters(cfg_, role, major_version(), cd)) argv.push_back("--" + k + "=" + v);
    return argv;
}

PGWARDEN_DECL void libpq_controller::fire(callback_action action)
{
    if (callbacks_suppressed_) return;
    const std::optional<std::string>* cmd = nullptr;
    switch (action) {
    case callback_action::on_start: cmd = &cfg_.callbacks.on_start; break;
    case callback_action::on_stop: cmd = &cfg_.callbacks.on_stop; break;
    case callback_action::on_restart: cmd = &cfg_.callbacks.on_restart; break;
    case callback_action::on_reload: cmd = &cfg_.callbacks.on_reload; break;
    case callback_action::on_role_change: cmd = &cfg_.callbacks.on_role_change; break;
    }
    if (!cmd || !*cmd || (*cmd)->empty()) return;
    auto argv = split_command(**cmd);
    argv.push_back(to_string(action));
    argv.push_back(role_text());
    argv.push_back(cfg_.scope);
    // ha-loop.md 18: a new callback kills the previous one (and its children);
    // on_reload has its own slot.
    process& slot = action == callback_action::on_reload ? reload_callback_ : callback_;
    if (slot.valid() && !slot.exited()) {
        PGWARDEN_MARK("pg: previous callback killed");
        slot.kill_group(SIGKILL);
    }
    auto req = tool(std::move(argv));
    auto p = process::spawn(req);
    if (!p) return;
    slot = std::move(*p);
}

PGWARDEN_DECL task<void> libpq_controller::wait_callbacks(std::chrono::milliseconds timeout)
{
    for (process* p : {&callback_, &reload_callback_})
        if (p->valid()) (void)co_await p->wait(timeout);   // a timeout leaves it running
}

PGWARDEN_DECL task<result<void>> libpq_controller::run_hook(const std::string& command, std::vector<std::string> args)
{
    auto argv = split_command(command);
    if (argv.empty()) co_return result<void>{};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = co_await run_tool(std::move(argv), cfg_.callbacks.sync_timeout);
    if (!r) co_return r.error();
    if (r->exit_code != 0) co_return make_error_code(error::command_failed);
    co_return result<void>{};
}

PGWARDEN_DECL task<result<void>> libpq_controller::wait_ready(std::chrono::milliseconds timeout)
{
    // Readiness as pg_isready reports it: a server that answers a connection
    // attempt without "the database system is starting up".
    const int steps = static_cast<int>(std::max<long long>(1, timeout.count() / 100));
    for (int i = 0; i < steps; ++i) {
        if (!is_running()) co_return make_error_code(error::start_failed);
        libpq::connection c;
        auto r = co_await c.connect(local_params(false), std::chrono::milliseconds(1000));
        if (r || c.ping() == libpq::ping_status::ok) {
            if (r) conn_ = std::move(c);
            co_return result<void>{};
        }
        (void)co_await sleep(std::chrono::milliseconds(100));
    }
    co_return make_error_code(error::timeout);
}

PGWARDEN_DECL task<result<void>> libpq_controller::spawn_postmaster(start_role role)
{
    std::optional<controldata> cd;
    if (role != start_role::primary) {
        auto c = co_await read_controldata();
        if (c) cd = *c;
    }
    if (auto r = write_config(role); !r) co_return r.error();
    spawn_request req;
    req.argv = postmaster_argv(role, cd ? &*cd : nullptr);
    req.env = environment(true);
    req.run_as = run_as_;
    // Patroni's postmaster inherits Patroni's stdout/stderr; PostgreSQL's
    // logging_collector decides the rest. postmaster_log redirects it.
    req.inherit_output = !cfg_.postmaster_log;
    req.output_file = cfg_.postmaster_log.value_or(std::string{});
    req.new_process_group = true;
    // Patroni effective_configuration: values raised to pg_control's are a
    // pending restart {old: pg_control's, new: configured}.
    start_reason_.clear();
    if (cd) {
        const int major = major_version();
        const auto raised = forced_parameters(cfg_, role, major, &*cd);
        const auto configured = forced_parameters(cfg_, role, major, nullptr);
        for (const auto& [name, value] : raised)
            if (auto it = configured.find(name); it != configured.end() && it->second != value)
                start_reason_[name] = param_change{value, it->second};
    }
    force_readiness_check_ = true;
    auto p = process::spawn(req);
    if (!p) co_return p.error();
    postmaster_ = std::move(*p);
    stop_requested_ = false;
    crashed_ = false;
    role_ = role;
    co_return result<void>{};
}

PGWARDEN_DECL task<result<void>> libpq_controller::start(start_role role)
{
    if (is_running()) co_return result<void>{};
    if (data_dir_empty()) co_return make_error_code(error::no_data_dir);
    if (auto r = co_await spawn_postmaster(role); !r) co_return r;
    auto ready = co_await wait_ready(cfg_.pg_ctl_timeout);
    if (!ready) co_return ready;
    fire(callback_action::on_start);
    co_return result<void>{};
}

PGWARDEN_DECL task<result<void>> libpq_controller::signal_and_wait(int sig, std::chrono::milliseconds timeout)
{
    stop_requested_ = true;
    conn_.close();   // our own session would hold a smart shutdown forever
    postmaster_.signal(sig);
    auto w = co_await postmaster_.wait(timeout);
    if (!w) co_return w.error();
    postmaster_ = process{};
    conn_.close();
    co_return result<void>{};
}

PGWARDEN_DECL task<result<void>> libpq_controller::stop(stop_mode mode)
{
    if (!is_running()) co_return result<void>{};
    if (cfg_.callbacks.before_stop) (void)co_await run_hook(*cfg_.callbacks.before_stop, {});   // exit code ignored
    const int sig = mode == stop_mode::smart ? SIGTERM : mode == stop_mode::fast ? SIGINT : SIGQUIT;
    const auto timeout = cfg_.primary_stop_timeout.count() > 0 ? cfg_.primary_stop_timeout : cfg_.pg_ctl_timeout;
    auto r = co_await signal_and_wait(sig, timeout);
    if (!r && cfg_.primary_stop_timeout.count() > 0) {
        // ha-loop.md 9.6: escalate to immediate, then SIGKILL.
        PGWARDEN_MARK("pg: stop escalated");
        r = co_await signal_and_wait(SIGQUIT, std::chrono::seconds(5));
        if (!r) r = co_await signal_and_wait(SIGKILL, std::chrono::seconds(5));
    }
    if (!r) co_return r;
    fire(callback_action::on_stop);
    co_return result<void>{};
}

PGWARDEN_DECL task<result<libpq::query_result>> libpq_controller::query(std::string sql)
{
    if (!is_running()) co_return make_error_code(error::not_running);
    if (!conn_.is_open()) {
        auto c = co_await conn_.connect(local_params(false), cfg_.connect_timeout);
        if (!c) {
            last_error_ = conn_.last_error();
            co_return c.error();
        }
    }
    auto r = co_await conn_.query(std::move(sql), cfg_.statement_timeout);
    if (!r) last_error_ = conn_.last_error();
    co_return r;
}

PGWARDEN_DECL task<result<local_pg_state>> libpq_controller::probe()
{
    local_pg_state s;
    if (!is_running()) {
        s.data_dir_empty = data_dir_empty();   // a running postmaster's directory is never empty: no listing
        s.state = crashed_ ? pg_state::crashed : pg_state::stopped;
        s.role = s.data_dir_empty ? pg_role::uninitialized : pg_role::primary;
        if (s.data_dir_empty) co_return s;
        std::error_code ec;
        const bool recovery_conf = std::filesystem::exists(cfg_.data_dir + "/standby.signal", ec) ||
                                   std::filesystem::exists(cfg_.data_dir + "/recovery.signal", ec) ||
                                   std::filesystem::exists(cfg_.data_dir + "/recovery.conf", ec);
        if (recovery_conf) s.role = pg_role::replica;
        s.in_recovery = recovery_conf;
        auto cd = co_await read_controldata();
        if (!cd) co_return s;   // e.g. a half-written data directory: still a useful snapshot
        s.system_identifier = cd->system_identifier;
        s.controldata_state = cd->cluster_state;
        s.cleanly_shut_down = cd->is_clean_shutdown();
        s.timeline = cd->checkpoint_timeline;
        if (cd->cluster_state == "shut down in recovery" || cd->cluster_state == "in archive recovery") {
            if (cd->min_recovery_lsn.value != 0) {
                s.replay_lsn = cd->min_recovery_lsn;
                s.timeline = cd->min_recovery_timeline;
            } else {
                s.replay_lsn = cd->checkpoint_lsn;
            }
            s.receive_lsn = s.replay_lsn;
        } else {
            s.write_lsn = cd->checkpoint_lsn;
        }
        co_return s;
    }
    s.data_dir_empty = false;
    s.running = true;
    s.state = pg_state::running;
    const std::string sql =
        "SELECT pg_catalog.pg_is_in_recovery() AS in_recovery,"
        " pg_catalog.current_setting('server_version_num') AS version,"
        " CASE WHEN pg_catalog.pg_is_in_recovery() THEN 0 ELSE ('x' || pg_catalog.substr("
        "pg_catalog.pg_walfile_name(pg_catalog.pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS timeline,"
        " CASE WHEN pg_catalog.pg_is_in_recovery() THEN NULL ELSE pg_catalog.pg_current_wal_flush_lsn() END AS flush,"
        " pg_catalog.pg_last_wal_receive_lsn() AS receive, pg_catalog.pg_last_wal_replay_lsn() AS replay,"
        " CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_is_wal_replay_paused() ELSE false END AS paused,"
        " (SELECT system_identifier FROM pg_catalog.pg_control_system()) AS sysid,"
        " (SELECT pg_catalog.bool_or(pending_restart) FROM pg_catalog.pg_settings) AS pending,"
        " pg_catalog.current_setting('synchronous_standby_names') AS ssn,"
        " (extract(epoch FROM pg_catalog.pg_postmaster_start_time()) * 1000000)::bigint AS start_us,"
        " extract(timezone FROM pg_catalog.pg_postmaster_start_time())::int AS start_tz,"
        " (extract(epoch FROM pg_catalog.pg_last_xact_replay_timestamp()) * 1000000)::bigint AS replay_us,"
        " (SELECT timeline_id FROM pg_catalog.pg_control_checkpoint()) AS cp_tli,"
        " w.status AS wr_status, CASE WHEN w.latest_end_lsn IS NULL THEN NULL ELSE w.received_tli END AS wr_tli,"
        " w.written_lsn AS wr_written, w.slot_name AS wr_slot, w.sender_host AS wr_host, w.sender_port AS wr_port"
        " FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_stat_get_wal_receiver() AS w ON true";
    auto r = co_await query(sql);
    if (!r) {
        s.accepting_connections = false;
        s.state = pg_state::starting;
        co_return s;   // running but not answering: the HA loop sees "starting"
    }
    if (r->rows.empty()) co_return make_error_code(error::bad_output);
    s.accepting_connections = true;
    s.in_recovery = detail::truthy(r->get(0, "in_recovery"));
    s.server_version = std::atoi(r->get(0, "version").value_or("0").c_str());
    s.pending_restart = detail::truthy(r->get(0, "pending"));
    s.replay_paused = detail::truthy(r->get(0, "paused"));
    s.sync_standby_names = r->get(0, "ssn").value_or("");
    if (auto v = r->get(0, "sysid")) s.system_identifier = std::strtoull(v->c_str(), nullptr, 10);
    if (auto v = r->get(0, "start_us")) s.postmaster_start_us = std::strtoll(v->c_str(), nullptr, 10);
    s.utc_offset_s = std::atoi(r->get(0, "start_tz").value_or("0").c_str());
    if (auto v = r->get(0, "replay_us")) s.replay_timestamp_us = std::strtoll(v->c_str(), nullptr, 10);
    if (s.in_recovery) {
        s.role = role_ == start_role::standby_leader ? pg_role::standby_leader : pg_role::replica;
        auto recv = detail::parse_lsn_opt(r->get(0, "receive")).value_or(lsn{});
        auto written = detail::parse_lsn_opt(r->get(0, "wr_written")).value_or(lsn{});
        s.receive_lsn = std::max(recv, written);
        s.replay_lsn = detail::parse_lsn_opt(r->get(0, "replay")).value_or(lsn{});
        s.is_streaming = r->get(0, "wr_status").value_or("") == "streaming";
        s.received_timeline = std::atoll(r->get(0, "wr_tli").value_or("0").c_str());
        s.timeline = s.received_timeline != 0 ? s.received_timeline
                                              : std::atoll(r->get(0, "cp_tli").value_or("0").c_str());
        if (role_ == start_role::standby_leader) s.timeline = std::atoll(r->get(0, "cp_tli").value_or("0").c_str());
        s.primary_slot_name = r->get(0, "wr_slot");
        if (auto h = r->get(0, "wr_host")) s.upstream = *h + ":" + r->get(0, "wr_port").value_or("");
    } else {
        s.role = pg_role::primary;
        s.timeline = std::atoll(r->get(0, "timeline").value_or("0").c_str());
        s.write_lsn = detail::parse_lsn_opt(r->get(0, "flush")).value_or(lsn{});
        auto reps = co_await query(
            "SELECT application_name, state, sync_state, write_lsn, flush_lsn, replay_lsn"
            " FROM pg_catalog.pg_stat_replication ORDER BY application_name");
        if (reps) {
            for (std::size_t i = 0; i < reps->rows.size(); ++i) {
                replication_peer p;
                p.application_name = reps->get(i, "application_name").value_or("");
                p.state = reps->get(i, "state").value_or("");
                p.sync_state = reps->get(i, "sync_state").value_or("");
                p.write_lsn = detail::parse_lsn_opt(reps->get(i, "write_lsn")).value_or(lsn{});
                p.flush_lsn = detail::parse_lsn_opt(reps->get(i, "flush_lsn")).value_or(lsn{});
                p.replay_lsn = detail::parse_lsn_opt(reps->get(i, "replay_lsn")).value_or(lsn{});
                s.replication.push_back(std::move(p));
            }
        }
    }
    auto slots = co_await query(
        "SELECT slot_name, slot_type, plugin, database, active, restart_lsn, confirmed_flush_lsn, wal_status,"
        " xmin, catalog_xmin FROM pg_catalog.pg_replication_slots WHERE NOT temporary ORDER BY slot_name");
    if (slots) {
        for (std::size_t i = 0; i < slots->rows.size(); ++i) {
            slot_info si;
            si.name = slots->get(i, "slot_name").value_or("");
            si.type = slots->get(i, "slot_type").value_or("");
            si.plugin = slots->get(i, "plugin");
            si.database = slots->get(i, "database");
            si.active = detail::truthy(slots->get(i, "active"));
            si.restart_lsn = detail::parse_lsn_opt(slots->get(i, "restart_lsn")).value_or(lsn{});
            si.confirmed_flush_lsn = detail::parse_lsn_opt(slots->get(i, "confirmed_flush_lsn")).value_or(lsn{});
            si.wal_status = slots->get(i, "wal_status").value_or("");
            si.xmin = detail::parse_u64_opt(slots->get(i, "xmin"));
            si.catalog_xmin = detail::parse_u64_opt(slots->get(i, "catalog_xmin"));
            s.slots.push_back(std::move(si));
        }
    }
    if (s.pending_restart || !start_reason_.empty()) {
        s.pending_restart_reason = co_await pending_restart_reason();
        s.pending_restart = !s.pending_restart_reason.empty();
    }
    co_return s;
}

PGWARDEN_DECL task<std::map<std::string, param_change>> libpq_controller::pending_restart_reason()
{
    // Patroni ConfigHandler.reload_config: the GUCs pg_settings marks
    // pending_restart (recovery ones and hot_standby excepted), old =
    // current_setting(), new = `postgres -C` from the files. `postgres -C`
    // is a process per GUC, so its answers are cached until the next
    // configuration write or a change of the running value.
    std::map<std::string, param_change> out = start_reason_;
    std::string sql = "SELECT name, pg_catalog.current_setting(name) AS value, unit, vartype"
                      " FROM pg_catalog.pg_settings WHERE pending_restart ORDER BY name";
    auto r = co_await query(std::move(sql));
    if (!r) co_return out;
    if (pending_cache_generation_ != conf_generation_) {
        pending_cache_.clear();
        pending_cache_generation_ = conf_generation_;
    }
    std::map<std::string, std::pair<std::string, std::string>> cache;
    for (std::size_t i = 0; i < r->rows.size(); ++i) {
        const std::string name = r->get(i, "name").value_or("");
        const std::string lname = detail::lower(name);
        if (name.empty() || lname == "hot_standby" || is_recovery_parameter(lname)) continue;
        const std::string value = r->get(i, "value").value_or("");
        std::string file_value;
        if (auto c = pending_cache_.find(name); c != pending_cache_.end() && c->second.first == value) {
            file_value = c->second.second;
        } else {
            PGWARDEN_MARK("pg: postgres -C for a pending restart");
            std::string guc = name;
            auto v = co_await guc_from_file(std::move(guc));
            file_value = v.value_or("?");
        }
        cache[name] = {value, file_value};
        const auto unit = r->get(i, "unit");
        out[name] = make_param_change(value, file_value, r->get(i, "vartype").value_or(""),
                                      unit ? std::optional<std::string_view>(*unit) : std::nullopt);
    }
    pending_cache_ = std::move(cache);
    co_return out;
}

PGWARDEN_DECL task<std::optional<std::string>> libpq_controller::guc_from_file(std::string name)
{
    std::vector<std::string> argv{bin("postgres"), "-D", cfg_.data_dir, "-C", std::move(name),
                                  "--config-file=" + postgresql_conf_path()};
    auto req = tool(std::move(argv));
    auto r = co_await run_command(std::move(req), cfg_.pg_ctl_timeout);
    if (!r || r->exit_code != 0) co_return std::nullopt;
    // The value is the last line printed (warnings, if any, come first).
    std::string out = r->output;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    if (auto nl = out.rfind('\n'); nl != std::string::npos) out.erase(0, nl + 1);
    co_return out;
}

PGWARDEN_DECL task<result<void>> libpq_controller::promote()
{
    if (!is_running()) co_return make_error_code(error::not_running);
    auto rec = co_await query("SELECT pg_catalog.pg_is_in_recovery()");
    if (!rec) co_return rec.error();
    if (rec->rows.empty() || !detail::truthy(rec->rows[0][0])) co_return result<void>{};
    if (cfg_.callbacks.pre_promote) {
        if (auto h = co_await run_hook(*cfg_.callbacks.pre_promote, {}); !h) {
            PGWARDEN_MARK("pg: pre_promote refused promotion");
            co_return h;
        }
    }
    const auto wait_s = std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(cfg_.pg_ctl_timeout).count());
    // pg_promote waits up to wait_s; the statement must outlive it.
    if (!conn_.is_open()) {
        auto c = co_await conn_.connect(local_params(false), cfg_.connect_timeout);
        if (!c) co_return c.error();
    }
    auto r = co_await conn_.query("SELECT pg_catalog.pg_promote(true, " + std::to_string(wait_s) + ")",
                                  cfg_.pg_ctl_timeout + std::chrono::seconds(5));
    if (!r) {
        last_error_ = conn_.last_error();
        co_return r.error();
    }
    if (r->rows.empty() || !detail::truthy(r->rows[0][0])) co_return make_error_code(error::timeout);
    role_ = start_role::primary;
    (void)write_config(start_role::primary);   // drop the recovery block; PostgreSQL removed the signal file
    fire(callback_action::on_role_change);
    co_return result<void>{};
}

PGWARDEN_DECL task<result<void>> libpq_controller::follow(const follow_target& target)
{
    const bool changed = !follow_ || follow_->conn_url != target.conn_url || follow_->slot_name != target.slot_name ||
                         follow_->restore_command != target.restore_command;
    follow_ = target;
    const start_role new_role = role_ == start_role::standby_leader ? start_role::standby_leader : start_role::replica;
    if (!is_running()) {
        if (data_dir_empty()) co_return make_error_code(error::no_data_dir);
        co_return co_await start(new_role);
    }
    auto rec = co_await query("SELECT pg_catalog.pg_is_in_recovery()");
    if (!rec) co_return rec.error();
    const bool in_recovery = !rec->rows.empty() && detail::truthy(rec->rows[0][0]);
    if (!in_recovery) {
        // Demotion: fast stop, start as replica, on_role_change instead of on_stop/on_start.
        PGWARDEN_MARK("pg: demote via follow");
        callbacks_suppressed_ = true;
        auto s = co_await stop(stop_mode::fast);
        if (s) s = co_await start(start_role::replica);
        callbacks_suppressed_ = false;
        if (!s) co_return s;
        role_ = start_role::replica;
        fire(callback_action::on_role_change);
        co_return result<void>{};
    }
    if (!changed) co_return result<void>{};
    if (auto w = write_config(new_role); !w) co_return w.error();
    if (major_version() >= 130000) {
        postmaster_.signal(SIGHUP);   // primary_conninfo is reloadable since PG 13
        co_return result<void>{};
    }
    callbacks_suppressed_ = true;
    auto s = co_await stop(stop_mode::fast);
    if (s) s = co_await start(new_role);
    callbacks_suppressed_ = false;
    co_return s;
}

PGWARDEN_DECL task<std::vector<std::string>> libpq_controller::archive_ready_wals()
{
    std::vector<std::string> archived;
    std::string mode_name = "archive_mode", command_name = "archive_command";
    const auto mode = co_await guc_from_file(std::move(mode_name));
    const auto command = co_await guc_from_file(std::move(command_name));
    if (!mode || (*mode != "on" && *mode != "always") || !command || command->empty()) co_return archived;
    const std::string wal_dir = cfg_.data_dir + (major_version() >= 100000 ? "/pg_wal" : "/pg_xlog");
    const std::string status_dir = wal_dir + "/archive_status";
    std::vector<std::string> ready;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(status_dir, ec))
        if (auto seg = ready_wal_segment(e.path().filename().string())) ready.push_back(*seg);
    std::sort(ready.begin(), ready.end());
    for (const auto& wal : ready) {
        const std::string ready_file = status_dir + "/" + wal + ".ready";
        // It may have been archived meanwhile; the segment itself must exist.
        if (!std::filesystem::is_regular_file(ready_file, ec) || !std::filesystem::is_regular_file(wal_dir + "/" + wal, ec))
            continue;
        PGWARDEN_MARK("pg: archive a .ready WAL segment");
        std::vector<std::string> argv{"/bin/sh", "-c", build_archiver_command(*command, wal, wal_dir)};
        auto r = co_await run_tool(std::move(argv), cfg_.pg_ctl_timeout);
        if (!r || r->exit_code != 0) continue;   // Patroni: logged, the next one is tried
        std::filesystem::rename(ready_file, status_dir + "/" + wal + ".done", ec);
        if (!ec) archived.push_back(wal);
    }
    co_return archived;
}

PGWARDEN_DECL task<result<void>> libpq_controller::crash_recovery()
{
    if (is_running()) co_return make_error_code(error::busy);
    // Patroni Rewind.ensure_clean_shutdown: archive what is still .ready,
    // empty archive_status, then postgres --single with the options of the
    // last postmaster (postmaster.opts) plus archive_mode=on and
    // archive_command=false, so nothing is archived twice.
    (void)co_await archive_ready_wals();   // failures are skipped: the segments stay in pg_wal
    std::error_code ec;
    const std::string status_dir =
        cfg_.data_dir + (major_version() >= 100000 ? "/pg_wal" : "/pg_xlog") + "/archive_status";
    for (const auto& e : std::filesystem::directory_iterator(status_dir, ec))
        if (!std::filesystem::is_directory(e.symlink_status(ec))) std::filesystem::remove(e.path(), ec);
    for (const char* f : {"/standby.signal", "/recovery.signal", "/recovery.conf"})
        std::filesystem::remove(cfg_.data_dir + f, ec);
    if (auto w = write_config(start_role::primary); !w) co_return w.error();
    auto opts = parse_postmaster_opts(detail::read_text(cfg_.data_dir + "/postmaster.opts"));
    opts["archive_mode"] = "on";
    opts["archive_command"] = "false";
    // Without postmaster.opts Patroni relies on <data_dir>/postgresql.conf;
    // we name our configuration file, which may live elsewhere.
    if (!opts.contains("config-file") && !opts.contains("config_file")) opts["config-file"] = postgresql_conf_path();
    PGWARDEN_MARK("pg: single-user crash recovery");
    std::vector<std::string> argv{bin("postgres"), "--single", "-D", cfg_.data_dir};
    for (const auto& [k, v] : opts) argv.insert(argv.end(), {"-c", k + "=" + v});
    argv.push_back("template1");
    auto r = co_await run_tool(std::move(argv), cfg_.pg_ctl_timeout);
    if (!r) co_return r.error();
    if (r->exit_code != 0) co_return make_error_code(error::command_failed);
    co_return result<void>{};
}

PGWARDEN_DECL task<result<void>> libpq_controller::rewind(const follow_target& target)
{
    if (data_dir_empty()) co_return make_error_code(error::no_data_dir);
    auto stopped = co_await stop(stop_mode::fast);
    if (!stopped) co_return stopped;
    auto cd = co_await read_controldata();
    if (!cd) co_return cd.error();
    if (!cfg_.use_pg_rewind || !cd->rewind_capable()) {
        PGWARDEN_MARK("pg: rewind not possible");
        co_return make_error_code(error::rewind_not_possible);
    }
    // Patroni Rewind.execute: the source must be a primary whose pg_control
    // already has its new timeline, or pg_rewind sees no divergence.
    if (auto c = co_await ensure_source_checkpoint(target); !c) co_return c;
    if (cd->needs_crash_recovery() || cd->cluster_state == "in archive recovery") {
        if (auto c = co_await crash_recovery(); !c) co_return c;
    }
    (void)co_await archive_ready_wals();   // what cannot be archived stays in pg_wal
    auto url = parse_conn_url(target.conn_url);
    if (!url) co_return url.error();
    const auth_user& user = rewind_user();
    std::map<std::string, std::string> dsn{{"host", url->host}, {"port", url->port}, {"user", user.username},
                                           {"dbname", url->dbname.empty() ? cfg_.database : url->dbname},
                                           {"target_session_attrs", "read-write"}};
    for (const auto& [k, v] : user.ssl) dsn[k] = v;
    std::map<std::string, std::string> env{{"PGOPTIONS", "-c statement_timeout=0"}};
    if (user.password) {
        if (auto w = write_pgpass(url->host, url->port, user); !w) co_return w.error();
        env["PGPASSFILE"] = cfg_.pgpass;
    }
    auto opts = render_cli_options(cfg_.rewind_options,
                                   {"target-pgdata", "source-pgdata", "source-server", "write-recovery-conf",
                                    "dry-run", "restore-target-wal", "config-file", "no-ensure-shutdown",
                                    "version", "help"});
    if (!opts) co_return opts.error();
    std::vector<std::string> argv{bin("pg_rewind")};
    const bool restore = cfg_.recovery_conf.contains("restore_command") && major_version() >= 130000;
    if (restore) {
        argv.push_back("--restore-target-wal");
        if (major_version() >= 150000) argv.push_back("--config-file=" + postgresql_conf_path());
    }
    argv.insert(argv.end(), {"-D", cfg_.data_dir, "--source-server", format_dsn(dsn, major_version())});
    argv.insert(argv.end(), opts->begin(), opts->end());
    PGWARDEN_MARK("pg: pg_rewind");
    auto r = co_await run_tool(std::move(argv), std::chrono::hours(1), env);
    if (!r || r->exit_code != 0) {
        PGWARDEN_MARK("pg: pg_rewind failed");
        if (cfg_.remove_data_directory_on_rewind_failure || cfg_.remove_data_directory_on_diverged_timelines)
            remove_data_directory();
        co_return r ? make_error_code(error::command_failed) : r.error();
    }
    follow_ = target;
    role_ = start_role::replica;
    if (auto w = write_config(start_role::replica); !w) co_return w.error();
    co_return result<void>{};
}

PGWARDEN_DECL const auth_user& libpq_controller::rewind_user() const
{
    return (cfg_.rewind && major_version() >= 110000) ? *cfg_.rewind : cfg_.superuser;
}

PGWARDEN_DECL std::map<std::string, std::string> libpq_controller::remote_params(const conn_url_parts& url,
                                                                                 const auth_user& user) const
{
    std::map<std::string, std::string> p{{"host", url.host}, {"port", url.port}, {"user", user.username},
                                         {"dbname", cfg_.database}, {"application_name", "Patroni"}};
    if (user.password) p["password"] = *user.password;
    for (const auto& [k, v] : user.ssl) p[k] = v;
    p["connect_timeout"] = std::to_string(std::max<long long>(
        2, std::chrono::duration_cast<std::chrono::seconds>(cfg_.connect_timeout).count()));
    p["options"] = "-c statement_timeout=" + std::to_string(cfg_.statement_timeout.count());
    return p;
}

PGWARDEN_DECL task<result<void>> libpq_controller::ensure_source_checkpoint(const follow_target& target)
{
    if (target.checkpoint_after_promote && !*target.checkpoint_after_promote) {
        PGWARDEN_MARK("pg: rewind waits for checkpoint_after_promote");
        last_error_ = "Waiting for checkpoint on " + target.member.value_or(target.conn_url) + " before rewind";
        co_return make_error_code(error::source_not_ready);
    }
    auto url = parse_conn_url(target.conn_url);
    if (!url) co_return url.error();
    const auth_user& user = rewind_user();
    libpq::connection c;
    auto params = remote_params(*url, user);
    if (auto r = co_await c.connect(std::move(params), cfg_.connect_timeout); !r) {
        last_error_ = c.last_error();
        co_return make_error_code(error::source_not_ready);
    }
    std::string sql =
        "SELECT pg_catalog.pg_is_in_recovery() AS recovery,"
        " CASE WHEN pg_catalog.pg_is_in_recovery() THEN 0 ELSE ('x' || pg_catalog.substr(pg_catalog.pg_walfile_name("
        "pg_catalog.pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS timeline,"
        " (SELECT timeline_id FROM pg_catalog.pg_control_checkpoint()) AS checkpoint_timeline";
    auto r = co_await c.query(std::move(sql), cfg_.statement_timeout);
    if (!r || r->rows.empty()) {
        last_error_ = c.last_error();
        co_return make_error_code(error::source_not_ready);
    }
    if (detail::truthy(r->get(0, "recovery"))) {
        PGWARDEN_MARK("pg: rewind source in recovery");
        last_error_ = "the rewind source is still in recovery";
        co_return make_error_code(error::source_not_ready);
    }
    if (target.checkpoint_after_promote) co_return result<void>{};   // its Patroni says so
    const auto timeline = std::atoll(r->get(0, "timeline").value_or("0").c_str());
    const auto checkpointed = std::atoll(r->get(0, "checkpoint_timeline").value_or("0").c_str());
    if (checkpointed >= timeline) co_return result<void>{};
    // Patroni: with superuser credentials (no dedicated rewind user) run
    // CHECKPOINT on the source; a rewind user can only check.
    if (user.username != cfg_.superuser.username) {
        last_error_ = "the rewind source has not run a checkpoint yet";
        co_return make_error_code(error::source_not_ready);
    }
    PGWARDEN_MARK("pg: CHECKPOINT on the rewind source");
    std::string checkpoint_sql = "SET statement_timeout = 0; CHECKPOINT";
    if (auto cp = co_await c.query(std::move(checkpoint_sql), cfg_.pg_ctl_timeout); !cp) {
        last_error_ = c.last_error();
        co_return make_error_code(error::source_not_ready);
    }
    co_return result<void>{};
}

PGWARDEN_DECL task<result<void>> libpq_controller::set_sync_standbys(const sync_names& names)
{
    int version = major_version();
    if (conn_.is_open() && conn_.server_version() > 0) version = conn_.server_version();
    auto value = format_sync_standby_names(names, version);
    if (value == sync_value_) co_return result<void>{};
    sync_value_ = std::move(value);
    if (!is_running()) co_return result<void>{};
    co_return co_await reload();
}

PGWARDEN_DECL void libpq_controller::set_parameters(std::map<std::string, std::string> parameters)
{
    cfg_.parameters = std::move(parameters);
}

PGWARDEN_DECL task<result<void>> libpq_controller::reload()
{
    if (!is_running()) co_return make_error_code(error::not_running);
    if (auto w = write_config(role_); !w) co_return w.error();
    postmaster_.signal(SIGHUP);
    start_reason_.clear();   // Patroni: after a reload pg_settings is the authoritative pending set
    fire(callback_action::on_reload);
    co_return result<void>{};
}

PGWARDEN_DECL task<result<void>> libpq_controller::restart()
{
    const start_role role = role_;
    callbacks_suppressed_ = true;
    auto s = co_await stop(stop_mode::fast);
    if (s) s = co_await start(role);
    callbacks_suppressed_ = false;
    if (!s) co_return s;
    fire(callback_action::on_restart);
    co_return result<void>{};
}

PGWARDEN_DECL task<result<void>> libpq_controller::checkpoint()
{
    auto r = co_await query("CHECKPOINT");
    if (!r) co_return r.error();
    co_return result<void>{};
}

PGWARDEN_DECL task<result<void>> libpq_controller::post_bootstrap()
{
    if (cfg_.superuser.password) {
        auto r = co_await query("SET log_statement TO none; " + detail::role_sql(cfg_.superuser, "LOGIN SUPERUSER"));
        if (!r) co_return r.error();
    }
    if (cfg_.bootstrap.post_bootstrap) {
        const auto lp = parse_listen(cfg_.listen);
        std::map<std::string, std::string> dsn{{"host", lp.local_host}, {"port", lp.port},
                                               {"user", cfg_.superuser.username}, {"dbname", cfg_.database}};
        std::map<std::string, std::string> env{{"PGOPTIONS", "-c synchronous_commit=local -c statement_timeout=0"}};
        if (cfg_.superuser.password) {
            if (auto w = write_pgpass(lp.local_host, lp.port, cfg_.superuser); !w) co_return w.error();
            env["PGPASSFILE"] = cfg_.pgpass;
        }
        auto argv = split_command(*cfg_.bootstrap.post_bootstrap);
        argv.push_back(format_dsn(dsn, major_version()));
        auto r = co_await run_tool(std::move(argv), cfg_.callbacks.sync_timeout, env);
        if (!r) co_return r.error();
        if (r->exit_code != 0) co_return make_error_code(error::command_failed);
    }
    if (cfg_.replication.username != cfg_.superuser.username) {
        auto r = co_await query("SET log_statement TO none; " + detail::role_sql(cfg_.replication, "LOGIN REPLICATION"));
        if (!r) co_return r.error();
    }
    if (cfg_.rewind && cfg_.rewind->username != cfg_.superuser.username) {
        auto r = co_await query("SET log_statement TO none; " + detail::role_sql(*cfg_.rewind, "LOGIN"));
        if (!r) co_return r.error();
        const std::string u = libpq::quote_ident(cfg_.rewind->username);
        auto g = co_await query(
            "GRANT EXECUTE ON function pg_catalog.pg_ls_dir(text, boolean, boolean) TO " + u +
            "; GRANT EXECUTE ON function pg_catalog.pg_stat_file(text, boolean) TO " + u +
            "; GRANT EXECUTE ON function pg_catalog.pg_read_binary_file(text) TO " + u +
            "; GRANT EXECUTE ON function pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean) TO " + u);
        if (!g) co_return g.error();
    }
    co_return result<void>{};
}

PGWARDEN_DECL task<result<void>> libpq_controller::bootstrap()
{
    if (!data_dir_empty()) co_return make_error_code(error::data_dir_not_empty);
    if (auto p = prepare_data_dir(); !p) co_return p.error();
    callbacks_suppressed_ = true;
    detail::flag_reset guard{callbacks_suppressed_};

    const auto& b = cfg_.bootstrap;
    if (b.method == "initdb") {
        auto opts = render_cli_options(b.initdb, {"pgdata", "nosync", "pwfile", "sync-only", "version"});
        if (!opts) co_return opts.error();
        std::vector<std::string> argv{bin("initdb")};
        argv.insert(argv.end(), opts->begin(), opts->end());
        argv.push_back("--username=" + cfg_.superuser.username);
        std::string pwfile;
        if (cfg_.superuser.password) {
            pwfile = (std::filesystem::path(cfg_.data_dir).parent_path() / (".pgwarden_pw_" + cfg_.name)).string();
            if (auto w = write_file(pwfile, *cfg_.superuser.password + "\n", 0600); !w) co_return w.error();
            argv.push_back("--pwfile=" + pwfile);
        }
        argv.push_back(cfg_.data_dir);
        PGWARDEN_MARK("pg: initdb");
        auto r = co_await run_tool(std::move(argv), std::chrono::minutes(10));
        if (!pwfile.empty()) ::unlink(pwfile.c_str());
        if (!r) co_return r.error();
        if (r->exit_code != 0) {
            PGWARDEN_MARK("pg: initdb failed");
            co_return make_error_code(error::command_failed);
        }
    } else {
        auto argv = split_command(b.command.empty() ? b.method : b.command);
        if (!b.no_params) {
            argv.push_back("--scope=" + cfg_.scope);
            argv.push_back("--datadir=" + cfg_.data_dir);
        }
        for (const auto& [k, v] : b.method_params) argv.push_back("--" + k + "=" + v);
        PGWARDEN_MARK("pg: custom bootstrap");
        auto r = co_await run_tool(std::move(argv), std::chrono::hours(24));
        if (!r) co_return r.error();
        if (r->exit_code != 0) co_return make_error_code(error::command_failed);
        std::error_code ec;
        if (!b.recovery_conf.empty()) {
            cfg_.recovery_conf.insert(b.recovery_conf.begin(), b.recovery_conf.end());
        } else if (!b.keep_existing_recovery_conf) {
            for (const char* f : {"/standby.signal", "/recovery.signal", "/recovery.conf"})
                std::filesystem::remove(cfg_.data_dir + f, ec);
        }
    }
    if (!b.pg_hba.empty() && cfg_.pg_hba.empty() && !cfg_.parameters.contains("hba_file")) {
        std::ofstream f(cfg_.config_dir + "/pg_hba.conf", std::ios::app);
        f << "\n";
        for (const auto& l : b.pg_hba) f << l << "\n";
    }
    follow_.reset();
    if (auto s = co_await start(start_role::primary); !s) co_return s;
    co_return co_await post_bootstrap();
}

PGWARDEN_DECL task<result<void>> libpq_controller::clone_basebackup(const follow_target& source)
{
    auto url = parse_conn_url(source.conn_url);
    if (!url) co_return url.error();
    std::map<std::string, std::string> dsn{{"host", url->host}, {"port", url->port},
                                           {"user", cfg_.replication.username},
                                           {"dbname", url->dbname.empty() ? cfg_.database : url->dbname}};
    for (const auto& [k, v] : cfg_.replication.ssl) dsn[k] = v;
    std::map<std::string, std::string> env;
    if (cfg_.replication.password) {
        if (auto w = write_pgpass(url->host, url->port, cfg_.replication); !w) co_return w.error();
        env["PGPASSFILE"] = cfg_.pgpass;
    }
    std::vector<std::string_view> forbidden{"pgdata", "format", "wal-method", "xlog-method", "gzip", "version",
                                            "dbname", "host", "port", "username", "password"};
    if (major_version() < 150000) forbidden.push_back("compress");
    auto opts = render_cli_options(cfg_.basebackup, forbidden);
    if (!opts) co_return opts.error();
    for (int attempt = 0; attempt < std::max(1, cfg_.basebackup_attempts); ++attempt) {
        if (attempt > 0) (void)co_await sleep(cfg_.basebackup_retry_delay);
        std::vector<std::string> argv{bin("pg_basebackup"), "--pgdata=" + cfg_.data_dir, "-X", "stream",
                                      "--dbname=" + format_dsn(dsn, 150000)};
        argv.insert(argv.end(), opts->begin(), opts->end());
        PGWARDEN_MARK("pg: pg_basebackup");
        auto r = co_await run_tool(argv, std::chrono::hours(24), env);
        if (r && r->exit_code == 0) co_return result<void>{};
        // Only what pg_basebackup itself wrote is removed (the directory was empty).
        remove_data_directory();
    }
    co_return make_error_code(error::command_failed);
}

PGWARDEN_DECL task<result<void>> libpq_controller::clone_custom(const replica_method& m,
                                                                const std::optional<follow_target>& source)
{
    auto argv = split_command(m.command.empty() ? m.name : m.command);
    for (const auto& [k, v] : m.params) argv.push_back("--" + k + "=" + v);
    if (!m.no_params) {
        if (m.keep_data) argv.push_back("--keep_data=True");
        if (m.no_leader) argv.push_back("--no_leader=True");
        std::string dsn;
        if (source) {
            if (auto url = parse_conn_url(source->conn_url)) {
                dsn = format_dsn({{"host", url->host}, {"port", url->port}, {"user", cfg_.replication.username},
                                  {"dbname", url->dbname.empty() ? cfg_.database : url->dbname}},
                                 150000);
            }
        }
        argv.insert(argv.end(), {"--scope=" + cfg_.scope, "--role=replica", "--datadir=" + cfg_.data_dir,
                                 "--connstring=" + dsn});
    }
    PGWARDEN_MARK("pg: custom replica method");
    auto r = co_await run_tool(std::move(argv), std::chrono::hours(24));
    if (r && r->exit_code == 0) co_return result<void>{};
    if (!m.keep_data) remove_data_directory();
    co_return r ? make_error_code(error::command_failed) : r.error();
}

PGWARDEN_DECL task<result<void>> libpq_controller::create_replica(const std::optional<follow_target>& source)
{
    if (is_running()) co_return make_error_code(error::busy);
    if (!data_dir_empty()) co_return make_error_code(error::data_dir_not_empty);
    if (auto p = prepare_data_dir(); !p) co_return p.error();
    auto methods = cfg_.create_replica_methods;
    if (methods.empty()) methods = {"basebackup"};
    error_code last = make_error_code(error::command_failed);
    for (const auto& name : methods) {
        const replica_method* custom = nullptr;
        for (const auto& m : cfg_.replica_methods)
            if (m.name == name) custom = &m;
        result<void> r;
        if (name == "basebackup") {
            if (!source) continue;   // basebackup needs a leader
            r = co_await clone_basebackup(*source);
        } else if (custom) {
            if (!source && !custom->no_leader) continue;
            r = co_await clone_custom(*custom, source);
        } else {
            continue;
        }
        if (r) {
            std::error_code ec;
            std::filesystem::remove(cfg_.data_dir + "/promote", ec);
            follow_ = source;
            role_ = start_role::replica;
            if (auto w = write_config(start_role::replica); !w) co_return w.error();
            co_return result<void>{};
        }
        last = r.error();
    }
    co_return last;
}

PGWARDEN_DECL task<result<void>> libpq_controller::reinitialize(const follow_target& source)
{
    if (auto s = co_await stop(stop_mode::immediate); !s) co_return s;
    remove_data_directory();
    co_return co_await create_replica(source);
}

PGWARDEN_DECL task<result<slot_changes>> libpq_controller::sync_slots(const slot_plan& plan)
{
    auto st = co_await probe();
    if (!st) co_return st.error();
    if (!st->running || !st->accepting_connections) co_return make_error_code(error::not_running);
    auto changes = plan_slot_changes(st->slots, plan);
    slot_changes done;
    for (const auto& name : changes.drop) {
        auto it = std::find_if(st->slots.begin(), st->slots.end(), [&](const slot_info& s) { return s.name == name; });
        if (it != st->slots.end() && it->active) continue;   // cannot drop an active slot; retry next cycle
        auto r = co_await query("SELECT pg_catalog.pg_drop_replication_slot(" + libpq::quote_literal(name) + ")");
        if (r) done.drop.push_back(name);
    }
    for (const auto& name : changes.create_physical) {
        auto r = co_await query("SELECT pg_catalog.pg_create_physical_replication_slot(" +
                                libpq::quote_literal(name) + ", true)");
        if (r) done.create_physical.push_back(name);
    }
    if (!st->in_recovery) {
        logical_queue_.clear();   // Patroni: a primary has nothing to wait for
        for (const auto& l : changes.create_logical) {
            // Logical slots live in a database: connect there.
            libpq::connection c;
            auto params = local_params(false);
            params["dbname"] = l.database;
            if (!co_await c.connect(params, cfg_.connect_timeout)) continue;
            auto r = co_await c.query("SELECT pg_catalog.pg_create_logical_replication_slot(" +
                                      libpq::quote_literal(l.name) + ", " + libpq::quote_literal(l.plugin) + ")",
                                      cfg_.statement_timeout);
            if (r) done.create_logical.push_back(l);
        }
        co_return done;
    }

    // ---- replica: permanent logical slots (ha-loop.md 14.2 steps 6-7) ----
    const bool feedback = plan.enforce_hot_standby_feedback.value_or(!plan.logical.empty());
    if (auto h = co_await set_enforce_hot_standby_feedback(feedback); !h) co_return h.error();
    std::vector<slot_info> present;
    for (const auto& si : st->slots)
        if (std::find(done.drop.begin(), done.drop.end(), si.name) == done.drop.end()) present.push_back(si);
    if (force_readiness_check_) {
        // After each start every logical slot is re-checked (Patroni schedule()).
        for (const auto& si : present)
            if (si.type == "logical" && !is_ignored_slot(si, plan.ignore)) logical_queue_.emplace(si.name, std::nullopt);
        force_readiness_check_ = false;
    }
    co_await check_logical_readiness(plan, present);

    const auto rp = plan_replica_logical_slots(present, plan, st->replay_lsn);
    done.copy_logical = rp.copy;
    for (const auto& a : rp.advance) {
        libpq::connection c;
        auto params = local_params(false);
        params["dbname"] = a.database;
        if (!co_await c.connect(params, cfg_.connect_timeout)) continue;
        std::string sql = "SELECT pg_catalog.pg_replication_slot_advance(" + libpq::quote_literal(a.name) + ", " +
                          libpq::quote_literal(a.target.to_text()) + "::pg_catalog.pg_lsn)";
        auto r = co_await c.query(std::move(sql), cfg_.statement_timeout);
        if (r) {
            PGWARDEN_MARK("pg: logical slot advanced on a replica");
            done.advanced.push_back(a.name);
        } else if (c.sqlstate() == "58P01" || c.sqlstate() == "55000") {
            // The WAL is gone or the slot was invalidated: copy it again (Patroni).
            PGWARDEN_MARK("pg: logical slot advance failed, copy again");
            last_error_ = c.last_error();
            done.copy_logical.push_back(a.name);
        } else {
            last_error_ = c.last_error();
        }
    }
    if (plan.primary && !done.copy_logical.empty()) {
        auto copied = co_await copy_logical_slots(*plan.primary, plan.logical, done.copy_logical);
        if (!copied) co_return copied.error();
        done.copied = std::move(*copied);
    }
    co_return done;
}

PGWARDEN_DECL task<void> libpq_controller::check_logical_readiness(const slot_plan& plan,
                                                                   const std::vector<slot_info>& present)
{
    // Patroni SlotsHandler.check_logical_slots_readiness: a copied logical
    // slot is safe after a failover once the catalog_xmin of our physical
    // slot on the primary lies between the primary logical slot's
    // catalog_xmin (remembered when ours became valid) and the local one's.
    std::optional<std::uint64_t> physical_xmin;
    if (!logical_queue_.empty() && plan.primary) {
        const std::string own =
            plan.slot_on_primary.empty() ? slot_name_from_member_name(cfg_.name) : plan.slot_on_primary;
        auto url = parse_conn_url(plan.primary->conn_url);
        if (!url) co_return;
        libpq::connection c;
        auto params = remote_params(*url, rewind_user());
        if (!co_await c.connect(std::move(params), cfg_.connect_timeout)) co_return;
        std::vector<std::string> names{own};
        for (const auto& [n, v] : logical_queue_)
            if (!v) names.push_back(n);
        std::string sql = "SELECT slot_name, catalog_xmin FROM pg_catalog.pg_get_replication_slots()"
                          " WHERE NOT pg_catalog.pg_is_in_recovery() AND slot_name = ANY(" +
                          detail::text_array(names) + ")";
        auto r = co_await c.query(std::move(sql), cfg_.statement_timeout);
        if (!r) co_return;
        bool own_found = false;
        std::map<std::string, std::optional<std::uint64_t>> found;
        for (std::size_t i = 0; i < r->rows.size(); ++i) {
            const auto name = r->get(i, "slot_name").value_or("");
            const auto xmin = detail::parse_u64_opt(r->get(i, "catalog_xmin"));
            if (name == own) {
                own_found = true;
                physical_xmin = xmin;
            } else {
                found[name] = xmin;
            }
        }
        if (!own_found) {
            PGWARDEN_MARK("pg: own physical slot missing on the primary");
            last_error_ = "physical slot " + own + " does not exist on the primary";
            co_return;
        }
        // No catalog_xmin yet: not streaming, or hot_standby_feedback off.
        if (!physical_xmin) co_return;
        for (const auto& [n, v] : found) logical_queue_[n] = v;
    }
    for (const auto& n : ready_logical_slots(logical_queue_, present, physical_xmin)) {
        (void)n;
        PGWARDEN_MARK("pg: logical slot safe after a failover");
    }
}

PGWARDEN_DECL task<result<std::vector<std::string>>>
libpq_controller::copy_logical_slots(const follow_target& primary, const std::vector<logical_slot>& wanted,
                                     std::vector<std::string> names)
{
    std::vector<std::string> copied;
    if (names.empty()) co_return copied;
    auto url = parse_conn_url(primary.conn_url);
    if (!url) co_return url.error();
    libpq::connection c;
    auto params = remote_params(*url, rewind_user());
    if (auto r = co_await c.connect(std::move(params), cfg_.connect_timeout); !r) {
        last_error_ = c.last_error();
        co_return r.error();
    }
    std::string sql = "SELECT slot_name, slot_type, datname, plugin,"
                      " pg_catalog.pg_read_binary_file('pg_replslot/' || slot_name || '/state') AS data"
                      " FROM pg_catalog.pg_get_replication_slots() JOIN pg_catalog.pg_database ON datoid = oid"
                      " WHERE NOT pg_catalog.pg_is_in_recovery() AND slot_name = ANY(" +
                      detail::text_array(names) + ")";
    auto r = co_await c.query(std::move(sql), cfg_.statement_timeout);
    if (!r) {
        last_error_ = c.last_error();
        co_return r.error();
    }
    c.close();
    std::vector<std::pair<std::string, std::string>> files;   // name -> state file bytes
    for (std::size_t i = 0; i < r->rows.size(); ++i) {
        const auto name = r->get(i, "slot_name").value_or("");
        auto w = std::find_if(wanted.begin(), wanted.end(), [&](const logical_slot& l) { return l.name == name; });
        if (w == wanted.end()) continue;   // not a permanent slot
        if (r->get(i, "slot_type").value_or("") != "logical" || r->get(i, "datname").value_or("") != w->database ||
            r->get(i, "plugin").value_or("") != w->plugin) {
            PGWARDEN_MARK("pg: logical slot not copied: configuration mismatch");
            continue;
        }
        auto data = decode_bytea_hex(r->get(i, "data").value_or(""));
        if (data && !data->empty()) files.emplace_back(name, std::move(*data));
    }
    if (files.empty()) co_return copied;

    // PostgreSQL reads pg_replslot only at start-up: stop, write, start.
    const start_role role = role_;
    callbacks_suppressed_ = true;
    detail::flag_reset guard{callbacks_suppressed_};
    if (auto s = co_await stop(stop_mode::fast); !s) co_return s.error();
    // Patroni pg_perm: group access when the data directory has it.
    struct stat dst {};
    const bool group = ::stat(cfg_.data_dir.c_str(), &dst) == 0 && (dst.st_mode & S_IRGRP) != 0;
    const unsigned dir_mode = group ? 0750 : 0700, file_mode = group ? 0640 : 0600;
    const std::string replslot = cfg_.data_dir + "/pg_replslot";
    std::error_code ec;
    for (const auto& [name, bytes] : files) {
        const std::string dir = replslot + "/" + name, tmp = dir + ".tmp";
        std::filesystem::remove_all(tmp, ec);
        if (!std::filesystem::create_directory(tmp, ec) || ec) continue;
        ::chmod(tmp.c_str(), dir_mode);
        const std::string state = tmp + "/state";
        bool ok = detail::write_synced(state, bytes, file_mode);
        if (ok) ::chmod(state.c_str(), file_mode);
        if (ok && run_as_)
            ok = ::chown(tmp.c_str(), run_as_->uid, run_as_->gid) == 0 &&
                 ::chown(state.c_str(), run_as_->uid, run_as_->gid) == 0;
        if (!ok) {
            std::filesystem::remove_all(tmp, ec);
            continue;
        }
        detail::fsync_dir(tmp);
        std::filesystem::remove_all(dir, ec);
        if (::rename(tmp.c_str(), dir.c_str()) != 0) continue;
        detail::fsync_dir(dir);
        PGWARDEN_MARK("pg: logical slot copied from the primary");
        logical_queue_[name] = std::nullopt;
        copied.push_back(name);
    }
    detail::fsync_dir(replslot);
    if (auto s = co_await start(role); !s) co_return s.error();
    co_return copied;
}

PGWARDEN_DECL task<result<void>> libpq_controller::set_enforce_hot_standby_feedback(bool value)
{
    if (enforce_hot_standby_feedback_ == value) co_return result<void>{};
    enforce_hot_standby_feedback_ = value;
    if (!is_running()) co_return result<void>{};   // written at the next start
    PGWARDEN_MARK("pg: hot_standby_feedback enforcement changed");
    if (auto w = write_config(role_); !w) co_return w.error();
    postmaster_.signal(SIGHUP);   // Patroni: write_postgresql_conf + reload (no on_reload: not a user reload)
    co_return result<void>{};
}

} // namespace pgwarden::pg

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
