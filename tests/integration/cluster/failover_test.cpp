// Goal: when the leader's daemon and its postmaster die with kill -9, a
// replica takes the leader key after the TTL, promotes, the other replica
// follows it, and the old node, started again, rewinds its diverged data
// directory (use_pg_rewind with data checksums) and streams from the new
// leader.
// Method: a real three-node cluster (tests/support/cluster.hpp); the old
// leader writes rows right before the crash (asynchronous replication, so
// its WAL may run ahead of the survivors'), we kill -9 both processes, then
// poll /patroni and etcd with a deadline for the new leader and the
// streaming replicas. The new leader writes on its new timeline; after the
// restart the old node must be a streaming replica on that timeline that
// has replayed the new leader's write.
#include "common.hpp"

using namespace pgwarden::test;
using namespace pgwarden::test::cluster_tests;

BOOST_AUTO_TEST_SUITE(cluster_failover)

BOOST_AUTO_TEST_CASE(kill9_leader_then_rejoin_with_rewind)
{
    require_tools();
    cluster c(defaults());
    c.add_nodes(3);
    // Staggered: the simultaneous bootstrap race is bootstrap_test's subject.
    require(c.start_staggered(), c, "the first member did not become the leader");
    const std::string old_leader = require_healthy(c, 120s);
    BOOST_REQUIRE(c.sql(old_leader, "CREATE TABLE t(x int); INSERT INTO t VALUES (1); CHECKPOINT").has_value());
    // Everyone has the table before the crash.
    for (const auto& r : others(c, old_leader))
        BOOST_REQUIRE(wait_until([&] { return c.sql(r, "SELECT count(*) FROM t").value_or("") == "1"; }, 30s, 100ms));
    const auto tli_before = c.status(old_leader)->timeline;

    // Rows written just before the crash may or may not reach the replicas: either way the
    // old node must come back (rewinding when its WAL went further than the new timeline's fork).
    BOOST_REQUIRE(c.sql(old_leader, "INSERT INTO t SELECT generate_series(2, 1000)").has_value());
    const auto t_kill = steady::now();
    c.kill9(old_leader, true);

    const auto rest = others(c, old_leader);
    // Only the two survivors are running, so the check covers exactly them.
    const std::string new_leader = require_healthy(c, 90s);
    report_figure("failover after kill -9 of the leader (ttl 20)", steady::now() - t_kill);
    BOOST_TEST(new_leader != old_leader);
    BOOST_TEST(c.dcs_leader().value_or("") == new_leader);
    BOOST_TEST(c.status(new_leader)->timeline > tli_before);
    BOOST_TEST(c.sql(new_leader, "SELECT pg_is_in_recovery()").value_or("") == "f");
    // Write on the new timeline so that the old primary's WAL really diverges.
    BOOST_REQUIRE(c.sql(new_leader, "INSERT INTO t VALUES (-1); CHECKPOINT").has_value());

    const auto t_rejoin = steady::now();
    c.start(old_leader);
    const std::string leader2 = require_healthy(c, 150s);
    report_figure("old leader rejoins as a streaming replica", steady::now() - t_rejoin);
    BOOST_TEST(leader2 == new_leader);
    auto st = c.status(old_leader);
    BOOST_REQUIRE(st.has_value());
    BOOST_TEST(st->role == "replica");
    BOOST_TEST(st->timeline == c.status(new_leader)->timeline);
    BOOST_TEST(c.sql(old_leader, "SELECT pg_is_in_recovery()").value_or("") == "t");
    // It replays the new leader's history: the row written after the failover is there.
    BOOST_TEST(wait_until([&] { return c.sql(old_leader, "SELECT count(*) FROM t WHERE x = -1").value_or("") == "1"; },
                          30s, 100ms));
    const std::string log = c.log(old_leader);
    BOOST_TEST_MESSAGE("old leader used pg_rewind: " << (log.find("rewind") != std::string::npos));
}

BOOST_AUTO_TEST_SUITE_END()
