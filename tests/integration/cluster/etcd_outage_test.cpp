// Goal: without failsafe_mode, a primary that cannot reach the DCS for
// longer than retry_timeout demotes itself (PostgreSQL goes read-only), and
// once etcd is back on the same ports and data directory the cluster heals
// to one leader with streaming replicas.
// Method: a real three-node cluster (tests/support/cluster.hpp); etcd is
// killed by PID; we poll the old primary's pg_is_in_recovery() and its
// /patroni role with a deadline (ttl 20 + retry_timeout 5 bound the
// demotion), then restart etcd and wait for a healthy cluster.
#include "common.hpp"

using namespace pgwarden::test;
using namespace pgwarden::test::cluster_tests;

BOOST_AUTO_TEST_SUITE(cluster_etcd_outage)

BOOST_AUTO_TEST_CASE(primary_demotes_without_dcs_and_cluster_recovers)
{
    require_tools();
    auto opts = defaults();
    opts.failsafe_mode = false;
    cluster c(opts);
    c.add_nodes(3);
    // Staggered: the simultaneous bootstrap race is bootstrap_test's subject.
    require(c.start_staggered(), c, "the first member did not become the leader");
    const std::string leader = require_healthy(c, 120s);
    BOOST_TEST(c.sql(leader, "SELECT pg_is_in_recovery()").value_or("") == "f");

    const auto t0 = steady::now();
    c.etcd().kill();
    // The primary must stop accepting writes: read-only (in recovery) or not running at all.
    const bool demoted = wait_until(
        [&] {
            auto st = c.status(leader);
            const auto rec = c.sql(leader, "SELECT pg_is_in_recovery()");
            return (st && st->role != "primary") && (!rec || *rec == "t");
        },
        60s, 200ms);
    require(demoted, c, "the primary did not demote without etcd");
    report_figure("demotion after etcd was killed (retry_timeout 5)", steady::now() - t0);
    // No member may be a writable primary while the DCS is down.
    for (const auto& n : c.names()) {
        auto st = c.status(n);
        BOOST_TEST((!st || st->role != "primary"), n << " is still primary");
    }

    const auto t1 = steady::now();
    c.etcd().restart();
    const std::string new_leader = require_healthy(c, 120s);
    report_figure("recovery after etcd came back", steady::now() - t1);
    BOOST_TEST(c.sql(new_leader, "SELECT pg_is_in_recovery()").value_or("") == "f");
    BOOST_TEST(c.sql(new_leader, "CREATE TABLE after_outage(x int)").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
