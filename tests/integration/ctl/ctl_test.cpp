// Goal: pgwardenctl is a drop-in for patronictl on a live cluster: `list`,
// `topology`, `history` and `show-config` show what Debian's patronictl
// 3.0.2 shows (modulo the documented 3.0.2 differences, ctl.md 11), `pause`
// and `resume --wait` take effect on every daemon, and bad input fails with
// patronictl's message and exit code (ctl.md 7).
// Method: a real etcd and three pgwarden-etcd3 daemons running PostgreSQL 15
// (tests/support/cluster.hpp); both CLIs run as child processes with the
// same ctl config, and their outputs are compared row by row (list) or
// byte for byte (history, show-config). Every wait polls with a deadline.
#include "integration/cluster/common.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <sstream>

#ifndef PGWARDENCTL_BIN
#define PGWARDENCTL_BIN ""
#endif

using namespace pgwarden::test;
using namespace pgwarden::test::cluster_tests;

namespace {

/// Runs pgwardenctl with the fixture's ctl config; stdout and stderr go to `out`.
int ctl(const cluster& c, std::vector<std::string> args, std::string* out, bool with_config = true)
{
    std::vector<std::string> argv{PGWARDENCTL_BIN};
    if (with_config) {
        argv.push_back("-c");
        argv.push_back(c.dir() + "/patronictl.yml");
    }
    argv.insert(argv.end(), args.begin(), args.end());
    spawn_options o;
    o.unset_env = {"PATRONICTL_CONFIG_FILE", "DCS_URL", "XDG_CONFIG_HOME"};
    o.env["HOME"] = c.dir();   // no ~/.config/patroni/patronictl.yaml to pick up
    return run(argv, out, o, 120s);
}

/// A pretty table as header -> cell rows (the second `Lag` is the replay lag).
std::vector<std::map<std::string, std::string>> parse_table(const std::string& text)
{
    std::vector<std::map<std::string, std::string>> rows;
    std::vector<std::string> header;
    std::istringstream in(text);
    std::string line;
    auto trim = [](std::string s) {
        while (!s.empty() && s.back() == ' ') s.pop_back();
        while (!s.empty() && s.front() == ' ') s.erase(s.begin());
        return s;
    };
    while (std::getline(in, line)) {
        if (line.empty() || line[0] != '|') continue;
        std::vector<std::string> cells;
        std::size_t pos = 1;
        for (auto bar = line.find('|', pos); bar != std::string::npos; bar = line.find('|', pos)) {
            cells.push_back(trim(line.substr(pos, bar - pos)));
            pos = bar + 1;
        }
        if (header.empty()) {
            header = cells;
            for (std::size_t i = 0, lags = 0; i < header.size(); ++i)
                if (header[i] == "Lag" && lags++ == 1) header[i] = "Replay Lag";
            continue;
        }
        std::map<std::string, std::string> r;
        for (std::size_t i = 0; i < cells.size() && i < header.size(); ++i) r[header[i]] = cells[i];
        rows.push_back(std::move(r));
    }
    return rows;
}

/// Both lists agree on every member (3.0.2 prints `running` where 4.x
/// prints the replication state, and one `Lag in MB` column).
bool lists_agree(const std::string& ours, const std::string& theirs, std::string* why)
{
    auto a = parse_table(ours), b = parse_table(theirs);
    if (a.size() != 3 || b.size() != 3) {
        *why = "row count";
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (const char* k : {"Member", "Host", "Role", "TL"})
            if (a[i][k] != b[i][k]) {
                *why = std::string("column ") + k;
                return false;
            }
        const bool leader = a[i]["Role"] == "Leader";
        const std::string state = a[i]["State"] == "streaming" ? "running" : a[i]["State"];
        if (state != b[i]["State"]) {
            *why = "state";
            return false;
        }
        if (!leader && (a[i]["Replay Lag"] != "0" || b[i]["Lag in MB"] != "0")) {
            *why = "lag";
            return false;
        }
    }
    return true;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ctl_commands)

BOOST_AUTO_TEST_CASE(pgwardenctl_matches_patronictl_on_a_live_cluster)
{
    require_tools();
    BOOST_TEST_REQUIRE(::access(PGWARDENCTL_BIN, X_OK) == 0);
    cluster c(defaults());
    c.add_nodes(3);
    require(c.start_staggered(), c, "first member did not become the leader");
    const std::string leader = require_healthy(c, 120s);
    const auto sysid = c.dcs_get("initialize").value_or("");

    // 1. list: the same members, roles, states, timelines and lags.
    std::string ours, theirs, why;
    const bool agree = wait_until(
        [&] {
            if (ctl(c, {"list"}, &ours) != 0 || c.patronictl({"list"}, &theirs) != 0) return false;
            return lists_agree(ours, theirs, &why);
        },
        60s, 500ms);
    require(agree, c, "lists differ (" + why + "):\n" + ours + "\n" + theirs);
    BOOST_TEST_MESSAGE("pgwardenctl list:\n" << ours << "patronictl list:\n" << theirs);
    BOOST_TEST(ours.rfind("+ Cluster: pgw (" + sysid + ") ", 0) == 0);
    BOOST_TEST(theirs.rfind("+ Cluster: pgw ", 0) == 0);
    BOOST_TEST(ours.find("Receive LSN") != std::string::npos);

    // json: one object per member, typed TL, empty cells left out.
    BOOST_REQUIRE(ctl(c, {"list", "-f", "json"}, &ours) == 0);
    auto arr = boost::json::parse(ours).as_array();
    BOOST_REQUIRE(arr.size() == 3u);
    for (const auto& v : arr) {
        const auto& o = v.as_object();
        BOOST_TEST(o.at("Cluster").as_string() == "pgw");
        BOOST_TEST(o.at("TL").as_int64() == 1);
        BOOST_TEST(o.at("State").as_string() == (o.at("Member").as_string() == leader ? "running" : "streaming"));
        BOOST_TEST((o.at("Role").as_string() == "Leader") == (o.at("Member").as_string() == leader));
        BOOST_TEST(o.contains("Receive LSN") == (o.at("Member").as_string() != leader));
    }

    // topology: the leader first, the replicas indented under it.
    BOOST_REQUIRE(ctl(c, {"topology"}, &ours) == 0);
    const auto topo = parse_table(ours);
    BOOST_REQUIRE(topo.size() == 3u);
    BOOST_TEST(topo[0].at("Member") == leader);
    BOOST_TEST(topo[1].at("Member").rfind("+ ", 0) == 0);

    // A switchover through pgwardenctl (REST POST /switchover to the leader)
    // gives a new leader on timeline 2 and a history line to compare below.
    const std::string target = others(c, leader).front();
    BOOST_TEST(ctl(c, {"failover", "--force"}, &ours) == 1);
    BOOST_TEST(ours.find("Error: Failover could be performed only to a specific candidate") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"switchover", "--force", "--candidate", leader}, &ours) == 1);
    BOOST_TEST(ours.find("Error: Member " + leader + " is already the leader of cluster pgw") != std::string::npos,
               ours);
    const int sw = ctl(c, {"switchover", "--force", "--candidate", target}, &ours);
    BOOST_TEST_MESSAGE("pgwardenctl switchover:\n" << ours);
    BOOST_TEST(sw == 0);
    BOOST_TEST(ours.rfind("Current cluster topology\n+ Cluster: pgw (", 0) == 0, ours);
    BOOST_TEST(ours.find("witched over to") != std::string::npos, ours);
    BOOST_TEST(require_healthy(c, 120s) == target);
    const bool history_written = wait_until(
        [&] { return ctl(c, {"history", "-f", "json"}, &ours) == 0 && ours.find("\"TL\": 1") != std::string::npos; },
        60s, 500ms);
    require(history_written, c, "no history line after the switchover: " + ours);

    // 2. history and show-config: byte for byte as patronictl 3.0.2.
    for (std::vector<std::string> args : {std::vector<std::string>{"history"},
                                          std::vector<std::string>{"history", "-f", "json"},
                                          std::vector<std::string>{"history", "-f", "yaml"},
                                          std::vector<std::string>{"show-config"}}) {
        BOOST_TEST(ctl(c, args, &ours) == 0);
        BOOST_TEST(c.patronictl(args, &theirs) == 0);
        BOOST_TEST(ours == theirs, args[0] << (args.size() > 1 ? " " + args.back() : "") << ":\n" << ours
                                           << "\n---- patronictl:\n" << theirs);
    }

    // edit-config --set/--pg: a diff, a CAS write of compact JSON that patronictl reads back.
    BOOST_TEST(ctl(c, {"edit-config", "--force", "-s", "loop_wait=3", "--pg", "work_mem=8MB"}, &ours) == 0, ours);
    BOOST_TEST(ours.find("--- \n+++ \n@@ ") == 0, ours);
    BOOST_TEST(ours.find("\n+    work_mem: 8MB\n") != std::string::npos, ours);
    BOOST_TEST(ours.find("\n-loop_wait: 2\n+loop_wait: 3\n") != std::string::npos, ours);
    BOOST_TEST(ours.find("Configuration changed\n") != std::string::npos, ours);
    const auto stored = c.dcs_get("config").value_or("");
    BOOST_TEST(stored.find("\"loop_wait\":3") != std::string::npos, stored);
    BOOST_TEST(stored.find("\"work_mem\":\"8MB\"") != std::string::npos, stored);
    BOOST_TEST(ctl(c, {"show-config"}, &ours) == 0);
    BOOST_TEST(c.patronictl({"show-config"}, &theirs) == 0);
    BOOST_TEST(ours == theirs, ours << "\n---- patronictl:\n" << theirs);
    BOOST_TEST(ctl(c, {"edit-config", "--force", "-s", "loop_wait=3"}, &ours) == 0);
    BOOST_TEST(ours == "Not changed\n");
    BOOST_TEST(ctl(c, {"edit-config", "--force", "-s", "loop_wait"}, &ours) == 1);
    BOOST_TEST(ours.find("Error: Invalid parameter setting loop_wait") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"edit-config", "--force", "-s", "loop_wait=2"}, &ours) == 0);

    // 3. pause --wait: every daemon reports it, and both CLIs show maintenance mode.
    BOOST_TEST(ctl(c, {"pause", "--wait"}, &ours) == 0, ours);
    BOOST_TEST(ours.find("'pause' request sent, waiting until it is recognized by all nodes") != std::string::npos);
    BOOST_TEST(ours.find("Success: cluster management is paused") != std::string::npos, ours);
    for (const auto& n : c.names()) {
        auto st = c.status(n);
        BOOST_REQUIRE(st.has_value());
        const auto* p = st->raw.as_object().if_contains("pause");
        BOOST_TEST((p && p->is_bool() && p->as_bool()), n << " does not report pause");
    }
    BOOST_TEST(ctl(c, {"list"}, &ours) == 0);
    BOOST_TEST(ours.find("\n Maintenance mode: on\n") != std::string::npos, ours);
    BOOST_TEST(c.patronictl({"list"}, &theirs) == 0);
    BOOST_TEST(theirs.find(" Maintenance mode: on") != std::string::npos, theirs);
    // Pausing twice is an error, as in patronictl.
    BOOST_TEST(ctl(c, {"pause"}, &ours) == 1);
    BOOST_TEST(ours.find("Error: Cluster is already paused") != std::string::npos, ours);

    BOOST_TEST(ctl(c, {"resume", "--wait"}, &ours) == 0, ours);
    BOOST_TEST(ours.find("Success: cluster management is resumed") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"list"}, &ours) == 0);
    BOOST_TEST(ours.find("Maintenance mode") == std::string::npos, ours);
    BOOST_TEST(ctl(c, {"resume"}, &ours) == 1);
    BOOST_TEST(ours.find("Error: Cluster is not paused") != std::string::npos, ours);

    // 4. version: ours, then each member's Patroni and PostgreSQL versions.
    BOOST_TEST(ctl(c, {"version", "pgw"}, &ours) == 0);
    BOOST_TEST(ours.rfind("patronictl version 4.1.4\n\n", 0) == 0, ours);
    for (const auto& n : c.names()) BOOST_TEST(ours.find(n + ": Patroni ") != std::string::npos, ours);
    BOOST_TEST(ours.find("PostgreSQL 15.") != std::string::npos, ours);

    // dsn: the leader by default, a replica by role, a member by name.
    BOOST_TEST(ctl(c, {"dsn"}, &ours) == 0);
    BOOST_TEST(ours == "host=127.0.0.1 port=" + std::to_string(c.member(target).pg_port) + "\n", ours);
    BOOST_TEST(ctl(c, {"dsn", "-m", leader}, &ours) == 0);
    BOOST_TEST(ours == "host=127.0.0.1 port=" + std::to_string(c.member(leader).pg_port) + "\n", ours);
    BOOST_TEST(ctl(c, {"dsn", "-r", "replica"}, &ours) == 0);
    BOOST_TEST(ours.find("port=" + std::to_string(c.member(target).pg_port)) == std::string::npos, ours);
    BOOST_TEST(ctl(c, {"dsn", "-r", "replica", "-m", leader}, &ours) == 1);
    BOOST_TEST(ours.find("Error: --role and --member are mutually exclusive options") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"dsn", "-m", "nobody"}, &ours) == 1);
    BOOST_TEST(ours.find("Error: Can not find a suitable member") != std::string::npos, ours);

    // reload / restart / flush / reinit through the members' REST API.
    const std::string replica = others(c, target).front();
    BOOST_TEST(ctl(c, {"reload", "pgw", "--force"}, &ours) == 0, ours);
    for (const auto& n : c.names())
        BOOST_TEST((ours.find("No changes to apply on member " + n + "\n") != std::string::npos ||
                    ours.find("Reload request received for member " + n + " and will be processed within") !=
                        std::string::npos),
                   ours);
    BOOST_TEST(ctl(c, {"reload", "pgw", "nobody", "--force"}, &ours) == 1);
    BOOST_TEST(ours.find("Error: No 'any' among provided members") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"restart", "pgw", replica, "--force"}, &ours) == 0, ours);
    BOOST_TEST(ours.find("Success: restart on member " + replica + "\n") != std::string::npos, ours);
    // A scheduled restart is published in the member key (list shows it) and flushed.
    BOOST_TEST(ctl(c, {"restart", "pgw", replica, "--scheduled", "2099-01-01T00:00:00+00:00", "--force"}, &ours) == 0,
               ours);
    BOOST_TEST(ours.find("Success: restart scheduled on member " + replica + "\n") != std::string::npos, ours);
    BOOST_TEST(wait_until(
                   [&] {
                       std::string listed;
                       return ctl(c, {"list", "pgw", "-f", "json"}, &listed) == 0 &&
                              listed.find("2099-01-01") != std::string::npos;
                   },
                   30s, 500ms),
               "the scheduled restart never showed in pgwardenctl list");
    // With --force patronictl first flushes the one already scheduled (DELETE /restart), then schedules.
    BOOST_TEST(ctl(c, {"restart", "pgw", replica, "--scheduled", "2099-01-02T00:00:00+00:00", "--force"}, &ours) == 0);
    BOOST_TEST(ours.find("Success: restart scheduled on member " + replica + "\n") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"flush", "pgw", replica, "restart", "--force"}, &ours) == 0, ours);
    BOOST_TEST(ours.find("Success: flush scheduled restart for member " + replica + "\n") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"restart", "pgw", "--force", "--pg-version", "9.6"}, &ours) == 1);
    BOOST_TEST(ours.find("Error: Invalid PostgreSQL version: 9.6") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"flush", "pgw", replica, "restart", "--force"}, &ours) == 0, ours);
    BOOST_TEST(ours.find("No scheduled restart for member " + replica + "\n") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"flush", "pgw", "switchover", "--force"}, &ours) == 0);
    BOOST_TEST(ours == "No pending scheduled switchover\n", ours);
    BOOST_TEST(ctl(c, {"flush", "pgw", "bogus"}, &ours) == 2);
    BOOST_TEST(ctl(c, {"reinit", "pgw", replica, "--force", "--wait"}, &ours) == 0, ours);
    BOOST_TEST(ours.find("Success: reinitialize for member " + replica + "\n") != std::string::npos, ours);
    BOOST_TEST(ours.find("Reinitialize is completed on: " + replica + "\n") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"reinit", "pgw", target, "--force"}, &ours) == 1);
    BOOST_TEST(ours.find("Error: No replica among provided members") != std::string::npos, ours);
    BOOST_TEST(require_healthy(c, 120s) == target);

    // query: straight to PostgreSQL, rows as patronictl prints them (tsv by default).
    for (std::vector<std::string> args :
         {std::vector<std::string>{"query", "-U", "postgres", "-d", "postgres", "-c",
                                   "SELECT 1 AS x, true AS b, NULL::text AS n, 'a b'::text AS s"},
          std::vector<std::string>{"query", "-U", "postgres", "-r", "replica", "--format", "json", "-c",
                                   "SELECT 2 AS y, pg_is_in_recovery() AS r"},
          std::vector<std::string>{"query", "-U", "postgres", "--delimiter", ";", "-c", "SELECT 'p' AS a, 3 AS b"}}) {
        BOOST_TEST(ctl(c, args, &ours) == 0);
        BOOST_TEST(c.patronictl(args, &theirs) == 0);
        BOOST_TEST(ours == theirs, ours << "\n---- patronictl:\n" << theirs);
    }
    BOOST_TEST(ctl(c, {"query", "-U", "postgres", "-c", "SELECT 1 AS x"}, &ours) == 0);
    BOOST_TEST(ours == "x\n1\n", ours);
    BOOST_TEST(ctl(c, {"query", "-U", "postgres", "-c", "SELECT * FROM nosuch"}, &ours) == 0);
    BOOST_TEST(ours.find("\tERROR, SQLSTATE: 42P01\n") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"query", "-m", "nobody", "-c", "SELECT 1"}, &ours) == 0);
    BOOST_TEST(ours.find("\tNo connection to member nobody is available\n") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"query", "-U", "postgres"}, &ours) == 1);
    BOOST_TEST(ours.find("Error: You need to specify either --command or --file") != std::string::npos, ours);

    // demote-/promote-cluster: the checks made before anything is sent.
    BOOST_TEST(ctl(c, {"demote-cluster", "--force"}, &ours) == 1);
    BOOST_TEST(ours.find("Error: At least --host, --port or --restore-command should be specified") !=
                   std::string::npos,
               ours);
    BOOST_TEST(ctl(c, {"promote-cluster", "--force"}, &ours) == 1);
    BOOST_TEST(ours.find("Error: Cluster is already in the required state") != std::string::npos, ours);

    // --dcs-url without a config file (ctl.md 1.2): etcd3 scheme, cluster named on the command line.
    BOOST_TEST(ctl(c, {"-d", "etcd3://" + c.etcd().host_port() + "/service", "list", "pgw"}, &ours, false) == 0, ours);
    BOOST_TEST(ours.rfind("+ Cluster: pgw (" + sysid + ") ", 0) == 0, ours);
    BOOST_TEST(parse_table(ours).size() == 3u, ours);
    BOOST_TEST(ctl(c, {"-d", "bogus://x:1", "list", "pgw"}, &ours, false) == 1);
    BOOST_TEST(ours.find("Error: Unknown dcs scheme: bogus") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"list"}, &ours, false) == 0);   // no config, no names: a warning only
    BOOST_TEST(ours.find("WARNING - Listing members: No cluster names were provided") != std::string::npos, ours);

    // 5. bad input: patronictl's messages and exit codes.
    BOOST_TEST(ctl(c, {"list", "-f", "xml"}, &ours) == 2);
    BOOST_TEST(ours.find("Error: Invalid value for '--format' / '-f': 'xml' is not one of") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"-c", "/nonexistent/ctl.yml", "list"}, &ours, false) == 1);
    BOOST_TEST(ours.find("Error: Provided config file /nonexistent/ctl.yml not existing or no read rights. "
                         "Check the -c/--config-file parameter") != std::string::npos,
               ours);
    BOOST_TEST(ctl(c, {"list", "nosuchcluster"}, &ours) == 0);
    BOOST_TEST(ours.rfind("+ Cluster: nosuchcluster (uninitialized) ", 0) == 0, ours);
    BOOST_TEST(parse_table(ours).empty());
    BOOST_TEST(ctl(c, {"show-config", "nosuchcluster"}, &ours) == 0);
    BOOST_TEST(ours.empty(), ours);
    BOOST_TEST(ctl(c, {"pause", "nosuchcluster"}, &ours) == 1);
    BOOST_TEST(ours.find("Error: Can not find accessible cluster member") != std::string::npos, ours);
    BOOST_TEST(ctl(c, {"nosuchcommand"}, &ours) == 2);

    // 6. remove: the answers come on stdin; a wrong one stops it, the right ones empty the DCS tree.
    auto remove_with = [&](const std::string& answers) {
        const std::string cmd = "printf '" + answers + "' | " + PGWARDENCTL_BIN + " -c " + c.dir() +
                                "/patronictl.yml remove pgw";
        return run({"/bin/sh", "-c", cmd}, &ours, {}, 60s);
    };
    BOOST_TEST(remove_with("other\\n") == 1);
    BOOST_TEST(ours.find("Please confirm the cluster name to remove: ") != std::string::npos, ours);
    BOOST_TEST(ours.find("Error: Cluster names specified do not match") != std::string::npos, ours);
    BOOST_TEST(remove_with("pgw\\nyes\\n") == 1);
    BOOST_TEST(ours.find("Error: You did not exactly type \"Yes I am aware\"") != std::string::npos, ours);
    BOOST_TEST(remove_with("pgw\\n") == 1);
    BOOST_TEST(ours.find("Aborted!") != std::string::npos, ours);
    for (const auto& n : c.names()) c.stop(n);
    BOOST_TEST(remove_with("pgw\\nYes I am aware\\n") == 0, ours);
    BOOST_TEST(c.dcs_get("initialize").value_or("x").empty());
    BOOST_TEST(c.dcs_get("config").value_or("x").empty());
}

// pgwardenctl reads what Python Patroni 3.0.2 writes (`master` role, no
// receive/replay LSN, no replication_state) and drives its REST API.
BOOST_AUTO_TEST_CASE(pgwardenctl_on_a_patroni_302_leader)
{
    require_tools(true);
    BOOST_TEST_REQUIRE(::access(PGWARDENCTL_BIN, X_OK) == 0);
    cluster c(defaults());
    c.add("py1", member_kind::patroni);
    c.add("pgw2");
    require(c.start_staggered(), c, "the Python member did not become the leader");
    BOOST_TEST(require_healthy(c, 150s) == "py1");

    std::string ours, theirs;
    const bool listed = wait_until(
        [&] {
            if (ctl(c, {"list"}, &ours) != 0 || c.patronictl({"list"}, &theirs) != 0) return false;
            auto a = parse_table(ours), b = parse_table(theirs);
            if (a.size() != 2 || b.size() != 2) return false;
            for (std::size_t i = 0; i < 2; ++i)
                for (const char* k : {"Member", "Host", "Role", "TL"})
                    if (a[i][k] != b[i][k]) return false;
            // Rows are sorted by name: pgw2 (the replica) before py1.
            return a[0]["Member"] == "pgw2" && a[0]["Role"] == "Replica" && a[0]["Replay Lag"] == "0" &&
                   a[1]["Role"] == "Leader";
        },
        60s, 500ms);
    require(listed, c, "lists differ:\n" + ours + "\n" + theirs);
    BOOST_TEST_MESSAGE("pgwardenctl list (Python leader):\n" << ours);

    BOOST_TEST(ctl(c, {"show-config"}, &ours) == 0);
    BOOST_TEST(c.patronictl({"show-config"}, &theirs) == 0);
    BOOST_TEST(ours == theirs);

    // PATCH /config goes to the Python leader; both members publish pause.
    BOOST_TEST(ctl(c, {"pause", "--wait"}, &ours) == 0);
    BOOST_TEST(ours.find("Success: cluster management is paused") != std::string::npos, ours);
    BOOST_TEST(c.patronictl({"list"}, &theirs) == 0);
    BOOST_TEST(theirs.find(" Maintenance mode: on") != std::string::npos, theirs);
    BOOST_TEST(ctl(c, {"resume", "--wait"}, &ours) == 0);
    BOOST_TEST(ours.find("Success: cluster management is resumed") != std::string::npos, ours);
}

BOOST_AUTO_TEST_SUITE_END()
