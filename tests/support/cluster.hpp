// A whole HA cluster for end-to-end tests: one real etcd plus N members,
// each a pgwarden-etcd3 daemon or a Python Patroni (Debian's 3.0.2), with
// its own PostgreSQL 15 data directory, REST API port and log, all inside
// one temporary directory owned by `postgres`.
//
// The fixture writes each member's Patroni YAML, starts and stops the
// daemons by PID (SIGTERM, then SIGKILL), and on destruction stops whatever
// is still running: daemons first, then any postmaster they left behind
// (found through postmaster.pid and checked against /proc before the
// signal), then etcd. Every wait is a poll with a deadline.
//
// Observations come from the members' REST API (GET /patroni over a plain
// socket), from etcd's v3 JSON gateway (/v3/kv/range) and from psql.
#pragma once
#include "support/etcd.hpp"
#include "support/process.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pgwarden::test {

/// An HTTP/1.1 reply read from a plain socket.
struct http_reply {
    int status = 0;
    std::string body;
};

/** Sends one request to 127.0.0.1:port and reads the reply until the server
 *  closes the connection (or Content-Length is satisfied). nullopt on a
 *  connection failure or when `timeout` passes first. */
std::optional<http_reply> http_request(unsigned short port, const std::string& method, const std::string& target,
                                       const std::string& body = {},
                                       std::chrono::milliseconds timeout = std::chrono::seconds(3));

/// Which implementation runs a member.
enum class member_kind { pgwarden, patroni };

/// Settings shared by every member (they go to bootstrap.dcs).
struct cluster_options {
    std::string scope = "pgw";
    int ttl_s = 20;
    int loop_wait_s = 2;
    int retry_timeout_s = 5;
    bool failsafe_mode = false;
    bool use_pg_rewind = true;
    /// The pgwarden daemon binary; PGWARDEN_ETCD3_BIN in the environment overrides it.
    std::string daemon_bin;
};

/// One member as the fixture knows it.
struct cluster_member {
    std::string name;
    member_kind kind = member_kind::pgwarden;
    unsigned short pg_port = 0;
    unsigned short api_port = 0;
    std::string dir;          ///< <cluster dir>/<name>
    std::string data_dir;     ///< dir/data
    std::string config_path;  ///< dir/patroni.yml
    std::string log_path;     ///< dir/daemon.log
    child proc;               ///< the daemon (pgwarden-etcd3 or patroni)
    bool paused = false;      ///< SIGSTOPped by pause(): not polled by is_healthy
    bool started = false;     ///< started and not stopped or killed on purpose since
};

/// GET /patroni of a member, parsed; nullopt when unreachable or not JSON.
struct member_status {
    std::string role;        ///< "primary" (3.0.2: "master" is mapped to "primary"), "replica", ...
    std::string state;       ///< "running", ...
    long long timeline = 0;
    std::vector<std::string> streaming;   ///< application_names of WAL senders in state "streaming"
    boost::json::value raw;
};

class cluster {
public:
    /// Starts etcd. Throws std::runtime_error when etcd does not come up.
    explicit cluster(cluster_options opts = {});
    cluster(const cluster&) = delete;
    cluster& operator=(const cluster&) = delete;
    ~cluster();

    /// The binary of the pgwarden daemon under test (PGWARDEN_ETCD3_BIN, else options().daemon_bin).
    std::string daemon_binary() const;

    /// Adds a member (writes its configuration; does not start it).
    cluster_member& add(const std::string& name, member_kind kind = member_kind::pgwarden);
    /// add() for names node1..nodeN.
    void add_nodes(int n, member_kind kind = member_kind::pgwarden);

    cluster_member& member(const std::string& name);
    std::vector<std::string> names() const;

    void start(const std::string& name);
    void start_all();
    /** Starts the first member alone, waits (up to `timeout`) until it holds the leader key
     *  as a running primary, then starts the others: a cluster without a bootstrap race.
     *  Returns false when the first member did not become the leader in time. */
    bool start_staggered(std::chrono::milliseconds timeout = std::chrono::seconds(90));
    /// SIGTERM, wait (timeout), SIGKILL.
    void stop(const std::string& name, std::chrono::seconds timeout = std::chrono::seconds(40));
    /// kill -9 of the daemon and, when `postmaster_too`, of its postmaster.
    void kill9(const std::string& name, bool postmaster_too);
    void pause(const std::string& name);    ///< SIGSTOP the daemon
    void resume(const std::string& name);   ///< SIGCONT the daemon

    /// PID in data_dir/postmaster.pid when that process is alive and is a postgres; else nullopt.
    std::optional<pid_t> postmaster_pid(const std::string& name) const;

    test::etcd_server& etcd() { return *etcd_; }
    const cluster_options& options() const noexcept { return opts_; }
    const std::string& dir() const;

    // ---- observations ----------------------------------------------------------------------

    std::optional<member_status> status(const std::string& name) const;
    /// The value of <namespace>/<scope>/<key> in etcd ("" when absent); nullopt when etcd fails.
    std::optional<std::string> dcs_get(const std::string& key) const;
    /// The leader key's value (member name), "" when absent, nullopt when etcd is unreachable.
    std::optional<std::string> dcs_leader() const { return dcs_get("leader"); }

    /** True when no started member's daemon has exited, exactly one member
     *  reports role primary, the DCS leader key names it, and it streams to
     *  every member in `replicas` (all other started members when empty), each
     *  of which reports role replica and state running; `leader_out` receives
     *  the leader's name. Paused members are not polled. */
    bool is_healthy(std::string* leader_out = nullptr, const std::vector<std::string>& replicas = {}) const;
    /// Polls is_healthy until `timeout`; returns the leader name or "" on timeout.
    std::string wait_healthy(std::chrono::milliseconds timeout, const std::vector<std::string>& replicas = {});

    /// psql on the member's port as postgres (trust over 127.0.0.1).
    std::optional<std::string> sql(const std::string& name, const std::string& query) const;

    /// Runs Debian's patronictl with a ctl config pointing at etcd; returns the exit code.
    int patronictl(const std::vector<std::string>& args, std::string* output) const;

    /// The daemon's log.
    std::string log(const std::string& name) const;
    /// Every member's log tail (for failure messages).
    std::string describe() const;

private:
    std::string config_yaml(const cluster_member& m) const;
    void reap_postmaster(const cluster_member& m);

    cluster_options opts_;
    std::unique_ptr<temp_dir> dir_;
    std::unique_ptr<etcd_server> etcd_;
    std::vector<std::unique_ptr<cluster_member>> members_;
    std::vector<unsigned short> used_ports_;
    std::string ctl_config_;
};

/// One row of `patronictl list` (pretty table).
struct ctl_row {
    std::string member, host, role, state, tl, lag;
};
/// Parses the pretty table of `patronictl list` (3.0.2 and 4.x column sets).
std::vector<ctl_row> parse_ctl_list(const std::string& output);

} // namespace pgwarden::test
