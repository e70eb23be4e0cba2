// Goal: a switchover requested through the REST API, in the form patronictl
// sends it (POST /switchover with {"leader", "candidate", "scheduled_at":
// null}, no Content-Type), answers 200 `Successfully switched over to
// "<candidate>"`, the candidate becomes the primary and the old leader
// streams from it; and Debian's `patronictl switchover --force --candidate`
// (3.0.2) drives the same operation end to end.
// Method: a real three-node cluster (tests/support/cluster.hpp); the REST
// call goes to the leader over a plain socket; afterwards we poll /patroni
// and etcd with a deadline until the candidate leads and every other member
// streams from it; patronictl runs as a child process and its output is
// checked for its success line.
#include "common.hpp"

using namespace pgwarden::test;
using namespace pgwarden::test::cluster_tests;

BOOST_AUTO_TEST_SUITE(cluster_switchover)

BOOST_AUTO_TEST_CASE(rest_switchover_then_patronictl_switchover)
{
    require_tools();
    cluster c(defaults());
    c.add_nodes(3);
    // Staggered: the simultaneous bootstrap race is bootstrap_test's subject.
    require(c.start_staggered(), c, "the first member did not become the leader");
    const std::string leader = require_healthy(c, 120s);
    const std::string candidate = others(c, leader).front();
    const auto tli = c.status(leader)->timeline;

    // 1. REST API, as patronictl 3.0.2 sends it.
    const std::string body = "{\"leader\": \"" + leader + "\", \"candidate\": \"" + candidate +
                             "\", \"scheduled_at\": null}";
    const auto t0 = steady::now();
    auto reply = http_request(c.member(leader).api_port, "POST", "/switchover", body, 60s);
    const auto answered = steady::now() - t0;
    require(reply.has_value(), c, "no reply to POST /switchover");
    BOOST_TEST(reply->status == 200, reply->status << " " << reply->body);
    BOOST_TEST(reply->body == "Successfully switched over to \"" + candidate + "\"");
    report_figure("switchover (REST call answered)", answered);
    const std::string new_leader = require_healthy(c, 90s);
    report_figure("switchover until all members stream from the candidate", steady::now() - t0);
    BOOST_TEST(new_leader == candidate);
    BOOST_TEST(c.status(candidate)->timeline == tli + 1);
    BOOST_TEST(c.status(leader)->role == "replica");
    BOOST_TEST(c.sql(leader, "SELECT pg_is_in_recovery()").value_or("") == "t");
    // The failover key is consumed.
    const auto fo = c.dcs_get("failover").value_or("?");
    BOOST_TEST((fo.empty() || fo == "{}"), "failover key: " << fo);

    // 2. patronictl 3.0.2 to the third member.
    std::string third;
    for (const auto& n : c.names())
        if (n != leader && n != candidate) third = n;
    std::string out;
    const auto t1 = steady::now();
    const int rc = c.patronictl({"switchover", "pgw", "--candidate", third, "--force"}, &out);
    BOOST_TEST_MESSAGE("patronictl switchover:\n" << out);
    BOOST_TEST(rc == 0, out);
    BOOST_TEST(out.find("Successfully switched over to \"" + third + "\"") != std::string::npos, out);
    const std::string leader3 = require_healthy(c, 90s);
    report_figure("patronictl switchover until all members stream", steady::now() - t1);
    BOOST_TEST(leader3 == third);
    BOOST_TEST(c.status(third)->timeline == tli + 2);
}

BOOST_AUTO_TEST_SUITE_END()
