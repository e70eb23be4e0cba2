// Goal: the daemon's process-level contract of config.md 1 and 10 — the
// command line (--version, --validate-config, unknown options), systemd
// readiness through NOTIFY_SOCKET, SIGHUP reloading the local configuration,
// SIGTERM stopping PostgreSQL and releasing the leader key.
// Method: the real pgwarden-etcd3 on a real etcd and PostgreSQL 15 (the
// cluster fixture writes the configuration); the test spawns the daemon
// itself where it needs its own environment, and observes the REST API, the
// DCS and the notify socket.
#include "support/cluster.hpp"
#include "support/postgres.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#ifndef PGWARDEN_ETCD3_BIN
#define PGWARDEN_ETCD3_BIN ""
#endif

using namespace pgwarden::test;
using namespace std::chrono_literals;

namespace {

cluster_options options()
{
    cluster_options o;
    o.daemon_bin = PGWARDEN_ETCD3_BIN;
    o.scope = "daemon";
    return o;
}

/// A unix datagram socket, as systemd's NOTIFY_SOCKET.
class notify_socket {
public:
    explicit notify_socket(const std::string& path) : path_(path)
    {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
        BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        chown_tree(path, "postgres");
    }
    ~notify_socket() { ::close(fd_); ::unlink(path_.c_str()); }
    std::string receive()
    {
        char buf[512];
        const auto n = ::recv(fd_, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string{};
    }

private:
    std::string path_;
    int fd_ = -1;
};

std::string tag_value(const cluster& c, const std::string& name, const std::string& tag)
{
    auto st = c.status(name);
    if (!st || !st->raw.is_object()) return {};
    const auto* tags = st->raw.as_object().if_contains("tags");
    if (!tags || !tags->is_object()) return {};
    const auto* v = tags->as_object().if_contains(tag);
    return v ? boost::json::serialize(*v) : std::string{};
}

} // namespace

BOOST_AUTO_TEST_SUITE(daemon_process)

BOOST_AUTO_TEST_CASE(command_line_like_patroni)
{
    const std::string bin = PGWARDEN_ETCD3_BIN;
    std::string out;
    BOOST_TEST(run({bin, "--version"}, &out) == 0);
    BOOST_TEST(out.find("(Patroni 4.1.4 compatible)") != std::string::npos, out);
    BOOST_TEST(run({bin, "--no-such-option"}, &out) == 2);
    BOOST_TEST(out.find("unrecognized arguments: --no-such-option") != std::string::npos, out);

    temp_dir dir("pgwarden-daemon-cli");
    write_file(dir / "bad.yml", "scope: s\nname: n\nrestapi:\n  listen: 127.0.0.1:notaport\n"
                                "etcd3:\n  hosts: 127.0.0.1:2379\npostgresql:\n  data_dir: /nonexistent/x\n"
                                "  listen: 127.0.0.1:5432\n  authentication: {}\n");
    BOOST_TEST(run({bin, "--validate-config", dir / "bad.yml"}, &out) == 1);
    BOOST_TEST(out.find("restapi.listen") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(notify_reload_and_terminate)
{
    // scripts/setup installs etcd; root is needed to run the daemon as postgres.
    BOOST_TEST_REQUIRE(::geteuid() == 0, "must run as root");
    BOOST_TEST_REQUIRE(etcd_available(), "etcd is missing: run scripts/setup");
    cluster c(options());
    auto& m = c.add("node1");
    notify_socket notify(c.dir() + "/notify.sock");

    spawn_options so;
    so.run_as = "postgres";
    so.log_file = m.log_path;
    so.env["NOTIFY_SOCKET"] = c.dir() + "/notify.sock";
    child d = spawn({c.daemon_binary(), m.config_path}, so);

    // READY=1 arrives once the REST API listens.
    std::string got;
    BOOST_REQUIRE_MESSAGE(wait_until([&] { got += notify.receive(); return !got.empty(); }, 60s),
                          "no sd_notify message\n" << read_file(m.log_path));
    BOOST_TEST(got == "READY=1");
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return c.dcs_leader().value_or("") == "node1"; }, 90s),
                          read_file(m.log_path));
    BOOST_TEST(tag_value(c, "node1", "nofailover").empty());

    // SIGHUP re-reads the file: a new tag shows in the REST API and the member key.
    {
        std::ofstream yml(m.config_path, std::ios::app);
        yml << "tags:\n  nofailover: true\n  zone: east\n";
    }
    d.signal(SIGHUP);
    BOOST_TEST_REQUIRE(wait_until([&] { return tag_value(c, "node1", "zone") == "\"east\""; }, 30s),
                       read_file(m.log_path));
    BOOST_TEST(tag_value(c, "node1", "nofailover") == "true");
    BOOST_TEST(wait_until([&] { return c.dcs_get("members/node1").value_or("").find("\"zone\":\"east\"") !=
                                       std::string::npos; }, 30s));
    BOOST_TEST(read_file(m.log_path).find("Reloading configuration after SIGHUP") != std::string::npos);

    // SIGTERM: PostgreSQL stopped, leader key released, exit code 0.
    const int st = d.stop(SIGTERM, 60s);
    BOOST_TEST(WIFEXITED(st));
    BOOST_TEST(WEXITSTATUS(st) == 0);
    BOOST_TEST(!c.postmaster_pid("node1").has_value());
    BOOST_TEST(c.dcs_leader().value_or("?") == "");
}

BOOST_AUTO_TEST_SUITE_END()
