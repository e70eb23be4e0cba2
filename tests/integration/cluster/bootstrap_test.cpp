// Goal: three pgwarden-etcd3 daemons started together on an empty etcd
// elect exactly one leader, the other two clone it and stream from it, and
// Debian's patronictl 3.0.2 (with a ctl config naming the etcd3 hosts) lists
// every member with the right role, state, timeline and lag.
// Method: a real etcd and three real daemons running PostgreSQL 15 as the
// postgres user in a temporary directory (tests/support/cluster.hpp); we
// poll each member's GET /patroni and the leader key in etcd with a
// deadline, then parse patronictl's table and compare each field with what
// the members report about themselves.
#include "common.hpp"

#include <algorithm>

using namespace pgwarden::test;
using namespace pgwarden::test::cluster_tests;

BOOST_AUTO_TEST_SUITE(cluster_bootstrap)

BOOST_AUTO_TEST_CASE(three_nodes_bootstrap_and_patronictl_list)
{
    require_tools();
    cluster c(defaults());
    c.add_nodes(3);
    const auto t0 = steady::now();
    c.start_all();
    const std::string leader = require_healthy(c, 120s);
    report_figure("three-node bootstrap to a streaming cluster", steady::now() - t0);

    // The leader accepts writes and the replicas are read-only.
    BOOST_TEST(c.sql(leader, "SELECT pg_is_in_recovery()").value_or("") == "f");
    for (const auto& r : others(c, leader)) BOOST_TEST(c.sql(r, "SELECT pg_is_in_recovery()").value_or("") == "t");
    // initialize holds the system identifier.
    const auto sysid = c.sql(leader, "SELECT system_identifier FROM pg_control_system()");
    BOOST_REQUIRE(sysid.has_value());
    BOOST_TEST(c.dcs_get("initialize").value_or("") == *sysid);

    // Replicas have replayed everything the leader wrote, so patronictl shows lag 0 once the
    // members published their positions; wait for it rather than racing the next HA cycle.
    BOOST_REQUIRE(c.sql(leader, "CREATE TABLE t(x int); INSERT INTO t VALUES (1)").has_value());
    std::string out;
    std::vector<ctl_row> rows;
    const bool listed = wait_until(
        [&] {
            if (c.patronictl({"list"}, &out) != 0) return false;
            rows = parse_ctl_list(out);
            if (rows.size() != 3) return false;
            return std::all_of(rows.begin(), rows.end(), [](const ctl_row& r) { return r.role == "Leader" || r.lag == "0"; });
        },
        60s, 500ms);
    require(listed, c, "patronictl list:\n" + out);
    BOOST_TEST_MESSAGE("patronictl list:\n" << out);
    BOOST_TEST(out.find("Cluster: pgw") != std::string::npos);
    for (const auto& row : rows) {
        auto& m = c.member(row.member);
        auto st = c.status(row.member);
        BOOST_REQUIRE(st.has_value());
        BOOST_TEST(row.host == "127.0.0.1:" + std::to_string(m.pg_port));
        BOOST_TEST(row.tl == std::to_string(st->timeline));
        BOOST_TEST(row.tl == "1");
        if (row.member == leader) {
            BOOST_TEST(row.role == "Leader");
            BOOST_TEST(row.state == "running");
            BOOST_TEST(row.lag == "");
        } else {
            BOOST_TEST(row.role == "Replica");
            // 3.0.2 prints the member's state; 4.x prints the replication state.
            BOOST_TEST((row.state == "running" || row.state == "streaming"), "state " << row.state);
            BOOST_TEST(row.lag == "0");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
