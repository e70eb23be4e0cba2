// The end-to-end cluster fixture (see cluster.hpp).
#include "support/cluster.hpp"

#include "support/postgres.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace pgwarden::test {
namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

using steady = std::chrono::steady_clock;

int remaining_ms(steady::time_point deadline)
{
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

std::string decode_chunked(const std::string& body)
{
    std::string out;
    std::size_t pos = 0;
    while (pos < body.size()) {
        auto eol = body.find("\r\n", pos);
        if (eol == std::string::npos) break;
        const std::size_t len = std::strtoul(body.substr(pos, eol - pos).c_str(), nullptr, 16);
        if (len == 0) break;
        out += body.substr(eol + 2, len);
        pos = eol + 2 + len + 2;
    }
    return out;
}

const char* const b64_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(const std::string& in)
{
    std::string out;
    unsigned val = 0;
    int bits = -6;
    for (unsigned char c : in) {
        val = (val << 8) + c;
        bits += 8;
        while (bits >= 0) {
            out.push_back(b64_chars[(val >> bits) & 0x3F]);
            bits -= 6;
        }
    }
    if (bits > -6) out.push_back(b64_chars[((val << 8) >> (bits + 8)) & 0x3F]);
    while (out.size() % 4) out.push_back('=');
    return out;
}

std::string base64_decode(const std::string& in)
{
    std::string out;
    unsigned val = 0;
    int bits = -8;
    for (char c : in) {
        const char* p = std::strchr(b64_chars, c);
        if (c == '=' || !p || !*p) break;
        val = (val << 6) + static_cast<unsigned>(p - b64_chars);
        bits += 6;
        if (bits >= 0) {
            out.push_back(static_cast<char>((val >> bits) & 0xFF));
            bits -= 8;
        }
    }
    return out;
}

std::string tail(const std::string& text, std::size_t lines)
{
    std::size_t start = text.size();
    for (std::size_t n = 0; n <= lines && start > 0; ++n) {
        const auto nl = text.rfind('\n', start - 1);
        if (nl == std::string::npos) return text;
        start = nl;
    }
    return start < text.size() ? text.substr(start + 1) : std::string{};
}

bool pid_alive(pid_t pid)
{
    return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

std::string trim(const std::string& s)
{
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

} // namespace

std::optional<http_reply> http_request(unsigned short port, const std::string& method, const std::string& target,
                                       const std::string& body, std::chrono::milliseconds timeout)
{
    const auto deadline = steady::now() + timeout;
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    struct closer {
        int fd;
        ~closer() { ::close(fd); }
    } guard{fd};
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (errno != EINPROGRESS) return std::nullopt;
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) != 1) return std::nullopt;
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) return std::nullopt;
    }
    std::ostringstream req;
    req << method << ' ' << target << " HTTP/1.1\r\nHost: 127.0.0.1:" << port
        << "\r\nConnection: close\r\nContent-Length: " << body.size() << "\r\n";
    if (!body.empty()) req << "Content-Type: application/json\r\n";
    req << "\r\n" << body;
    const std::string out = req.str();
    std::size_t sent = 0;
    while (sent < out.size()) {
        ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN) return std::nullopt;
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) != 1) return std::nullopt;
    }
    std::string in;
    char buf[8192];
    for (;;) {
        // Stop as soon as the declared body is complete (some servers keep the socket open).
        if (auto hdr_end = in.find("\r\n\r\n"); hdr_end != std::string::npos) {
            std::string head = in.substr(0, hdr_end);
            std::string lower = head;
            std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
            if (auto cl = lower.find("content-length:"); cl != std::string::npos) {
                const std::size_t len = std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
                if (in.size() >= hdr_end + 4 + len) break;
            }
        }
        pollfd p{fd, POLLIN, 0};
        const int r = ::poll(&p, 1, remaining_ms(deadline));
        if (r != 1) return std::nullopt;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return std::nullopt;
        }
        in.append(buf, static_cast<std::size_t>(n));
    }
    auto hdr_end = in.find("\r\n\r\n");
    if (hdr_end == std::string::npos || in.compare(0, 5, "HTTP/") != 0) return std::nullopt;
    http_reply reply;
    reply.status = std::atoi(in.c_str() + in.find(' ') + 1);
    std::string head = in.substr(0, hdr_end);
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    reply.body = in.substr(hdr_end + 4);
    if (auto cl = head.find("content-length:"); cl != std::string::npos)
        reply.body.resize(std::min(reply.body.size(), std::strtoul(head.c_str() + cl + 15, nullptr, 10)));
    else if (head.find("transfer-encoding: chunked") != std::string::npos)
        reply.body = decode_chunked(reply.body);
    return reply;
}

// ---- cluster --------------------------------------------------------------------------------

cluster::cluster(cluster_options opts)
    : opts_(std::move(opts)), dir_(std::make_unique<temp_dir>("pgwarden-cluster", pg_os_user)),
      etcd_(std::make_unique<etcd_server>())
{
    used_ports_.push_back(etcd_->client_port());
    ctl_config_ = *dir_ / "patronictl.yml";
    write_file(ctl_config_, "scope: " + opts_.scope + "\netcd3:\n  hosts: " + etcd_->host_port() + "\n");
}

cluster::~cluster()
{
    // Daemons first (a clean shutdown stops PostgreSQL), all at once, then whatever they left.
    for (auto& m : members_) {
        m->proc.signal(SIGCONT);
        m->proc.signal(SIGTERM);
    }
    for (auto& m : members_) {
        if (m->proc.pid() > 0 && !m->proc.wait(40s)) m->proc.stop(SIGKILL, 10s);
    }
    for (auto& m : members_) reap_postmaster(*m);
    if (const char* keep = std::getenv("PGWARDEN_KEEP_TMP"); keep && *keep == '1')
        std::fprintf(stderr, "cluster kept in %s\n", dir_->path().c_str());
}

std::string cluster::daemon_binary() const
{
    if (const char* b = std::getenv("PGWARDEN_ETCD3_BIN"); b && *b) return b;
    return opts_.daemon_bin;
}

const std::string& cluster::dir() const
{
    return dir_->path();
}

cluster_member& cluster::add(const std::string& name, member_kind kind)
{
    auto m = std::make_unique<cluster_member>();
    m->name = name;
    m->kind = kind;
    auto pick = [&] {
        for (;;) {
            unsigned short p = free_port();
            if (std::find(used_ports_.begin(), used_ports_.end(), p) == used_ports_.end()) {
                used_ports_.push_back(p);
                return p;
            }
        }
    };
    m->pg_port = pick();
    m->api_port = pick();
    m->dir = *dir_ / name;
    m->data_dir = m->dir + "/data";
    m->config_path = m->dir + "/patroni.yml";
    m->log_path = m->dir + "/daemon.log";
    fs::create_directories(m->dir);
    write_file(m->config_path, config_yaml(*m), 0600);
    chown_tree(m->dir, pg_os_user);
    members_.push_back(std::move(m));
    return *members_.back();
}

void cluster::add_nodes(int n, member_kind kind)
{
    for (int i = 1; i <= n; ++i) add("node" + std::to_string(i), kind);
}

cluster_member& cluster::member(const std::string& name)
{
    for (auto& m : members_)
        if (m->name == name) return *m;
    throw std::invalid_argument("cluster: no member " + name);
}

std::vector<std::string> cluster::names() const
{
    std::vector<std::string> out;
    for (const auto& m : members_) out.push_back(m->name);
    return out;
}

std::string cluster::config_yaml(const cluster_member& m) const
{
    // Patroni's own keys, so that both implementations read the same file.
    std::ostringstream y;
    y << "scope: " << opts_.scope << "\n"
      << "name: " << m.name << "\n"
      << "log:\n  level: INFO\n"
      << "restapi:\n"
      << "  listen: 127.0.0.1:" << m.api_port << "\n"
      << "  connect_address: 127.0.0.1:" << m.api_port << "\n"
      << "etcd3:\n  hosts: " << etcd_->host_port() << "\n"
      << "bootstrap:\n  dcs:\n"
      << "    ttl: " << opts_.ttl_s << "\n"
      << "    loop_wait: " << opts_.loop_wait_s << "\n"
      << "    retry_timeout: " << opts_.retry_timeout_s << "\n"
      << "    maximum_lag_on_failover: 1048576\n"
      << "    failsafe_mode: " << (opts_.failsafe_mode ? "true" : "false") << "\n"
      << "    postgresql:\n"
      << "      use_pg_rewind: " << (opts_.use_pg_rewind ? "true" : "false") << "\n"
      << "      parameters:\n"
      << "        wal_log_hints: 'on'\n"
      << "        max_wal_senders: 10\n"
      << "        max_replication_slots: 10\n"
      << "        wal_keep_size: 128MB\n"
      << "  initdb:\n  - encoding: UTF8\n  - data-checksums\n"
      << "  pg_hba:\n"
      << "  - local all all trust\n"
      << "  - host replication replicator 127.0.0.1/32 scram-sha-256\n"
      << "  - host all all 127.0.0.1/32 trust\n"
      << "postgresql:\n"
      << "  listen: 127.0.0.1:" << m.pg_port << "\n"
      << "  connect_address: 127.0.0.1:" << m.pg_port << "\n"
      << "  data_dir: " << m.data_dir << "\n"
      << "  bin_dir: " << pg_bin_dir() << "\n"
      << "  pgpass: " << m.dir << "/pgpass\n"
      << "  authentication:\n"
      << "    superuser:\n      username: postgres\n      password: test-superuser\n"
      << "    replication:\n      username: replicator\n      password: test-replicator\n"
      << "    rewind:\n      username: rewinder\n      password: test-rewinder\n"
      << "  parameters:\n"
      << "    unix_socket_directories: " << m.dir << "\n"
      << "    shared_buffers: 16MB\n"
      << "    fsync: 'off'\n"
      << "    synchronous_commit: 'off'\n"
      << "    full_page_writes: 'on'\n"
      << "tags:\n  nofailover: false\n  noloadbalance: false\n  clonefrom: false\n  nosync: false\n";
    return y.str();
}

void cluster::start(const std::string& name)
{
    auto& m = member(name);
    if (m.proc.running()) return;
    spawn_options o;
    o.run_as = pg_os_user;
    o.log_file = m.log_path;
    o.cwd = m.dir;
    o.unset_env = {"PATRONI_SCOPE", "PATRONI_NAME", "PATRONI_NAMESPACE", "PATRONICTL_CONFIG_FILE"};
    o.env["PYTHONUNBUFFERED"] = "1";
    const std::string bin = m.kind == member_kind::pgwarden ? daemon_binary() : std::string("/usr/bin/patroni");
    m.proc = spawn({bin, m.config_path}, o);
    m.started = true;
}

void cluster::start_all()
{
    for (auto& m : members_) start(m->name);
}

bool cluster::start_staggered(std::chrono::milliseconds timeout)
{
    if (members_.empty()) return true;
    const std::string first = members_.front()->name;
    start(first);
    auto& m = *members_.front();
    const bool ok = wait_until(
        [&] {
            if (!m.proc.running()) return true;   // exited: no point waiting
            auto st = status(first);
            return st && st->role == "primary" && dcs_leader().value_or("") == first;
        },
        timeout, 100ms) && m.proc.running();
    for (auto& m : members_) start(m->name);
    return ok;
}

void cluster::stop(const std::string& name, std::chrono::seconds timeout)
{
    auto& m = member(name);
    m.started = false;
    m.proc.signal(SIGCONT);
    m.paused = false;
    m.proc.stop(SIGTERM, timeout);
}

void cluster::kill9(const std::string& name, bool postmaster_too)
{
    auto& m = member(name);
    m.started = false;
    auto pm = postmaster_too ? postmaster_pid(name) : std::nullopt;
    m.proc.signal(SIGKILL);
    if (pm) ::kill(*pm, SIGKILL);
    (void)m.proc.wait(10s);
    if (pm) (void)wait_until([&] { return !pid_alive(*pm); }, 10s);
}

void cluster::pause(const std::string& name)
{
    auto& m = member(name);
    m.proc.signal(SIGSTOP);
    m.paused = true;
}

void cluster::resume(const std::string& name)
{
    auto& m = member(name);
    m.proc.signal(SIGCONT);
    m.paused = false;
}

std::optional<pid_t> cluster::postmaster_pid(const std::string& name) const
{
    const cluster_member* m = nullptr;
    for (const auto& x : members_)
        if (x->name == name) m = x.get();
    if (!m) return std::nullopt;
    const std::string text = read_file(m->data_dir + "/postmaster.pid");
    const pid_t pid = static_cast<pid_t>(std::atol(text.c_str()));
    if (pid <= 0 || !pid_alive(pid)) return std::nullopt;
    // Only a postgres whose working directory is this data directory is ours.
    std::error_code ec;
    auto cwd = fs::read_symlink("/proc/" + std::to_string(pid) + "/cwd", ec);
    if (ec || fs::weakly_canonical(cwd, ec) != fs::weakly_canonical(m->data_dir, ec)) return std::nullopt;
    return pid;
}

void cluster::reap_postmaster(const cluster_member& m)
{
    auto pid = postmaster_pid(m.name);
    if (!pid) return;
    ::kill(*pid, SIGQUIT);   // immediate shutdown of a server whose daemon is gone
    if (!wait_until([&] { return !pid_alive(*pid); }, 10s)) ::kill(*pid, SIGKILL);
}

// ---- observations ---------------------------------------------------------------------------

std::optional<member_status> cluster::status(const std::string& name) const
{
    const cluster_member* m = nullptr;
    for (const auto& x : members_)
        if (x->name == name) m = x.get();
    if (!m) return std::nullopt;
    auto r = http_request(m->api_port, "GET", "/patroni", {}, 2s);
    if (!r || r->body.empty()) return std::nullopt;
    boost::system::error_code ec;
    json::value v = json::parse(r->body, ec);
    if (ec || !v.is_object()) return std::nullopt;
    member_status s;
    const auto& o = v.as_object();
    if (auto* x = o.if_contains("role"); x && x->is_string()) s.role = std::string(x->as_string());
    if (s.role == "master") s.role = "primary";   // Patroni 3.0.2
    if (auto* x = o.if_contains("state"); x && x->is_string()) s.state = std::string(x->as_string());
    if (auto* x = o.if_contains("timeline"); x && x->is_int64()) s.timeline = x->as_int64();
    if (auto* x = o.if_contains("replication"); x && x->is_array())
        for (const auto& r2 : x->as_array()) {
            if (!r2.is_object()) continue;
            auto* st = r2.as_object().if_contains("state");
            auto* app = r2.as_object().if_contains("application_name");
            if (st && app && st->is_string() && app->is_string() && st->as_string() == "streaming")
                s.streaming.emplace_back(app->as_string());
        }
    s.raw = std::move(v);
    return s;
}

std::optional<std::string> cluster::dcs_get(const std::string& key) const
{
    const std::string full = "/service/" + opts_.scope + "/" + key;
    json::object req{{"key", base64_encode(full)}};
    auto r = http_request(etcd_->client_port(), "POST", "/v3/kv/range", json::serialize(req), 2s);
    if (!r || r->status != 200) return std::nullopt;
    boost::system::error_code ec;
    json::value v = json::parse(r->body, ec);
    if (ec || !v.is_object()) return std::nullopt;
    auto* kvs = v.as_object().if_contains("kvs");
    if (!kvs || !kvs->is_array() || kvs->as_array().empty()) return std::string{};
    auto* val = kvs->as_array()[0].as_object().if_contains("value");
    if (!val || !val->is_string()) return std::string{};
    return base64_decode(std::string(val->as_string()));
}

bool cluster::is_healthy(std::string* leader_out, const std::vector<std::string>& replicas) const
{
    std::vector<std::string> primaries;
    std::vector<std::pair<std::string, member_status>> seen;
    for (const auto& m : members_) {
        if (m->paused || !m->started) continue;
        if (!const_cast<child&>(m->proc).running()) return false;   // a daemon died on its own
        auto s = status(m->name);
        if (!s) return false;
        if (s->role == "primary") primaries.push_back(m->name);
        seen.emplace_back(m->name, std::move(*s));
    }
    if (primaries.size() != 1) return false;
    const std::string& leader = primaries.front();
    auto key = dcs_leader();
    if (!key || *key != leader) return false;
    std::vector<std::string> want = replicas;
    if (want.empty())
        for (const auto& [n, s] : seen)
            if (n != leader) want.push_back(n);
    const member_status* ls = nullptr;
    for (const auto& [n, s] : seen)
        if (n == leader) ls = &s;
    for (const auto& r : want) {
        if (std::find(ls->streaming.begin(), ls->streaming.end(), r) == ls->streaming.end()) return false;
        bool replica_ok = false;
        for (const auto& [n, s] : seen)
            if (n == r && s.role == "replica" && s.state == "running") replica_ok = true;
        if (!replica_ok) return false;
    }
    if (leader_out) *leader_out = leader;
    return true;
}

std::string cluster::wait_healthy(std::chrono::milliseconds timeout, const std::vector<std::string>& replicas)
{
    std::string leader;
    bool died = false;
    auto done = [&] {
        for (const auto& m : members_)
            if (m->started && !m->paused && !m->proc.running()) died = true;   // no point waiting longer
        return died || is_healthy(&leader, replicas);
    };
    if (wait_until(done, timeout, 100ms) && !died) return leader;
    return {};
}

std::optional<std::string> cluster::sql(const std::string& name, const std::string& query) const
{
    for (const auto& m : members_)
        if (m->name == name) return psql(m->pg_port, query);
    return std::nullopt;
}

int cluster::patronictl(const std::vector<std::string>& args, std::string* output) const
{
    std::vector<std::string> argv{"/usr/bin/patronictl", "-c", ctl_config_};
    argv.insert(argv.end(), args.begin(), args.end());
    spawn_options o;
    o.unset_env = {"PATRONICTL_CONFIG_FILE"};
    o.env["COLUMNS"] = "200";
    return run(argv, output, o, 120s);
}

std::string cluster::log(const std::string& name) const
{
    for (const auto& m : members_)
        if (m->name == name) return read_file(m->log_path);
    return {};
}

std::string cluster::describe() const
{
    std::ostringstream out;
    out << "cluster dir " << dir_->path() << "; DCS leader: " << dcs_leader().value_or("<etcd unreachable>") << "\n";
    for (const auto& m : members_) {
        auto s = m->paused ? std::nullopt : status(m->name);   // a stopped daemon would cost the 2 s timeout
        const bool alive = const_cast<child&>(m->proc).running();
        out << "== " << m->name << " (" << (m->kind == member_kind::pgwarden ? "pgwarden" : "patroni")
            << (m->started && !alive ? ", DAEMON EXITED" : "") << (m->paused ? ", paused" : "")
            << ", pg " << m->pg_port << ", api " << m->api_port << "): "
            << (s ? json::serialize(s->raw) : std::string("<no /patroni>")) << "\n"
            << tail(read_file(m->log_path), 15) << "\n";
    }
    return out.str();
}

std::vector<ctl_row> parse_ctl_list(const std::string& output)
{
    std::vector<ctl_row> rows;
    std::vector<std::string> header;
    std::istringstream in(output);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] != '|') continue;
        std::vector<std::string> cells;
        std::size_t pos = 1;
        while (pos < line.size()) {
            auto bar = line.find('|', pos);
            if (bar == std::string::npos) break;
            cells.push_back(trim(line.substr(pos, bar - pos)));
            pos = bar + 1;
        }
        if (header.empty()) {
            header = cells;
            continue;
        }
        ctl_row row;
        for (std::size_t i = 0; i < cells.size() && i < header.size(); ++i) {
            const auto& h = header[i];
            if (h == "Member") row.member = cells[i];
            else if (h == "Host") row.host = cells[i];
            else if (h == "Role") row.role = cells[i];
            else if (h == "State") row.state = cells[i];
            else if (h == "TL") row.tl = cells[i];
            else if (h == "Lag in MB") row.lag = cells[i];
        }
        rows.push_back(row);
    }
    return rows;
}

} // namespace pgwarden::test
