// Goal: pgwarden and Python Patroni 3.0.2 (Debian's package) run one
// cluster on one etcd3 scope: the Python node bootstraps it (it is started
// first), the pgwarden nodes clone it, every member streams, leadership moves from a pgwarden leader to
// the Python node by switchover, and back to a pgwarden node by failover
// after the Python leader is killed; the Python node then rejoins as a
// replica. The limits found are recorded in docs/notes/interop.md.
// Method: a real etcd, one `patroni` and two pgwarden-etcd3 daemons with the
// same Patroni YAML (tests/support/cluster.hpp); switchovers go through the
// current leader's REST API in patronictl's form; the health check accepts
// 3.0.2's `master` role; every wait is a poll with a deadline.
#include "common.hpp"

using namespace pgwarden::test;
using namespace pgwarden::test::cluster_tests;

BOOST_AUTO_TEST_SUITE(cluster_interop)

namespace {

/// POST /switchover to the current leader, in patronictl's form; returns the reply text.
std::string switchover(cluster& c, const std::string& leader, const std::string& candidate)
{
    const std::string body = "{\"leader\": \"" + leader + "\", \"candidate\": \"" + candidate +
                             "\", \"scheduled_at\": null}";
    auto r = http_request(c.member(leader).api_port, "POST", "/switchover", body, 90s);
    require(r.has_value(), c, "no reply from " + leader);
    BOOST_TEST(r->status == 200, leader << ": " << r->status << " " << r->body);
    return r->body;
}

} // namespace

BOOST_AUTO_TEST_CASE(mixed_patroni_302_and_pgwarden)
{
    require_tools(true);
    cluster c(defaults());
    const std::string py = "py1";
    c.add(py, member_kind::patroni);
    c.add("pgw2");
    c.add("pgw3");
    const auto t0 = steady::now();
    // The Python node (the first member) bootstraps; the others start once it leads.
    require(c.start_staggered(), c, "the first member did not become the leader");
    std::string leader = require_healthy(c, 150s);
    report_figure("mixed cluster bootstrap to streaming", steady::now() - t0);
    BOOST_TEST_MESSAGE("mixed cluster bootstrapped by " << leader);

    std::string out;
    BOOST_TEST(c.patronictl({"list"}, &out) == 0);
    BOOST_TEST_MESSAGE("patronictl list:\n" << out);
    BOOST_TEST(parse_ctl_list(out).size() == 3u, out);

    // 1. The Python leader hands over to pgwarden when it won the bootstrap.
    if (leader == py) {
        BOOST_TEST(switchover(c, py, "pgw2") == "Successfully switched over to \"pgw2\"");
        leader = require_healthy(c, 90s);
        BOOST_TEST(leader == "pgw2");
    }
    // 2. pgwarden leader -> Python node, by switchover.
    const auto t1 = steady::now();
    BOOST_TEST(switchover(c, leader, py) == "Successfully switched over to \"" + py + "\"");
    leader = require_healthy(c, 90s);
    report_figure("switchover pgwarden -> Python Patroni", steady::now() - t1);
    BOOST_TEST(leader == py);
    BOOST_TEST(c.sql(py, "SELECT pg_is_in_recovery()").value_or("") == "f");
    BOOST_TEST(c.sql(py, "CREATE TABLE mixed(x int); INSERT INTO mixed VALUES (1)").has_value());
    // Replication is asynchronous (and synchronous_commit is off): let the row reach both
    // pgwarden replicas before the crash, so that its presence afterwards is a fair check.
    for (const auto& r : {"pgw2", "pgw3"})
        BOOST_REQUIRE(wait_until([&] { return c.sql(r, "SELECT count(*) FROM mixed").value_or("") == "1"; }, 30s, 100ms));

    // 3. Python leader killed -> a pgwarden node fails over.
    const auto t2 = steady::now();
    c.kill9(py, true);
    leader = require_healthy(c, 90s);
    report_figure("failover Python Patroni -> pgwarden after kill -9", steady::now() - t2);
    BOOST_TEST((leader == "pgw2" || leader == "pgw3"), leader);
    BOOST_TEST(c.sql(leader, "SELECT count(*) FROM mixed").value_or("") == "1");

    // 4. The Python node rejoins as a replica of the pgwarden leader.
    const auto t3 = steady::now();
    c.start(py);
    const std::string leader2 = require_healthy(c, 150s);
    report_figure("Python Patroni rejoins a pgwarden leader", steady::now() - t3);
    BOOST_TEST(leader2 == leader);
    auto st = c.status(py);
    BOOST_REQUIRE(st.has_value());
    BOOST_TEST(st->role == "replica");
}

BOOST_AUTO_TEST_SUITE_END()
