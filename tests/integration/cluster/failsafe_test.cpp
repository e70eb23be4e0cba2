// Goal: DCS failsafe mode end to end (ha-loop.md 17). With `failsafe_mode:
// true` a primary that loses etcd keeps running as primary as long as every
// member of /failsafe accepts its POST /failsafe (its /patroni shows role
// primary and failsafe_mode_is_active), the replicas keep streaming and do
// not race; when one replica stops answering the primary demotes within a
// few loops; with etcd back the cluster converges to one leader again.
// Method: a real three-node pgwarden-etcd3 cluster (tests/support/cluster.hpp)
// with ttl 20, loop_wait 2, retry_timeout 5. etcd is killed by PID; one
// replica's daemon is SIGSTOPped so that its REST API stops answering. Every
// wait polls with a deadline; the "keeps running" phase polls that the
// primary stays primary for longer than the ttl.
#include "common.hpp"

#include <boost/json.hpp>

using namespace pgwarden::test;
using namespace pgwarden::test::cluster_tests;

namespace {

bool failsafe_active(const cluster& c, const std::string& name)
{
    auto st = c.status(name);
    if (!st || !st->raw.is_object()) return false;
    const auto* v = st->raw.as_object().if_contains("failsafe_mode_is_active");
    return v && v->is_bool() && v->as_bool();
}

bool is_writable_primary(const cluster& c, const std::string& name)
{
    auto st = c.status(name);
    return st && st->role == "primary" && c.sql(name, "SELECT pg_is_in_recovery()").value_or("") == "f";
}

bool streams_to(const cluster& c, const std::string& leader, const std::vector<std::string>& replicas)
{
    auto st = c.status(leader);
    if (!st) return false;
    for (const auto& r : replicas)
        if (std::find(st->streaming.begin(), st->streaming.end(), r) == st->streaming.end()) return false;
    return true;
}

} // namespace

BOOST_AUTO_TEST_SUITE(cluster_failsafe)

BOOST_AUTO_TEST_CASE(primary_survives_dcs_outage_while_all_members_answer)
{
    require_tools();
    auto opts = defaults();
    opts.failsafe_mode = true;
    cluster c(opts);
    c.add_nodes(3);
    require(c.start_staggered(), c, "the first member did not become the leader");
    const std::string leader = require_healthy(c, 120s);
    const auto replicas = others(c, leader);
    // The leader publishes /failsafe with every member (ha-loop.md 17) before we cut etcd.
    const bool published = wait_until(
        [&] {
            auto fs = c.dcs_get("failsafe");
            if (!fs) return false;
            for (const auto& n : c.names())
                if (fs->find("\"" + n + "\"") == std::string::npos) return false;
            return true;
        },
        30s, 200ms);
    require(published, c, "the leader did not publish /failsafe with all members");

    const auto t0 = steady::now();
    c.etcd().kill();
    // The primary notices the outage and goes on in failsafe mode.
    const bool active = wait_until([&] { return failsafe_active(c, leader); }, 40s, 200ms);
    require(active, c, "the primary did not report failsafe_mode_is_active without etcd");
    report_figure("failsafe active after etcd was killed", steady::now() - t0);
    // The replicas accepted its POSTs and say so too.
    for (const auto& r : replicas)
        check(wait_until([&] { return failsafe_active(c, r); }, 10s, 200ms), c,
              r + " does not report failsafe_mode_is_active");

    // It stays a writable primary for longer than ttl (20 s) plus retry_timeout, with both
    // replicas streaming and no member other than it claiming the primary role.
    const auto hold_until = steady::now() + 30s;
    while (steady::now() < hold_until) {
        require(is_writable_primary(c, leader), c, "the primary stopped being primary in failsafe mode");
        for (const auto& r : replicas) {
            auto st = c.status(r);
            require(st && st->role == "replica", c, r + " is not a replica in failsafe mode");
        }
        require(wait_until([&] { return streams_to(c, leader, replicas); }, 5s, 200ms), c,
                "the replicas stopped streaming in failsafe mode");
    }
    BOOST_TEST(c.sql(leader, "CREATE TABLE during_failsafe(x int)").has_value());

    // One replica stops answering its REST API: the primary can no longer get every
    // member's acceptance and demotes (POST timeout 2 s, 1 retry, loop_wait 2 s).
    const std::string cut = replicas.front();
    c.pause(cut);
    const auto t1 = steady::now();
    const bool demoted = wait_until(
        [&] {
            auto st = c.status(leader);
            const auto rec = c.sql(leader, "SELECT pg_is_in_recovery()");
            return (st && st->role != "primary") && (!rec || *rec == "t");
        },
        30s, 200ms);
    require(demoted, c, "the primary did not demote when a member stopped answering");
    report_figure("demotion after a replica stopped answering", steady::now() - t1);
    for (const auto& n : c.names()) {
        if (n == cut) continue;
        BOOST_TEST(!is_writable_primary(c, n), n << " is a writable primary while the DCS is down");
    }

    // etcd and the replica come back: one leader, everyone streaming.
    c.resume(cut);
    c.etcd().restart();
    const std::string new_leader = require_healthy(c, 120s);
    BOOST_TEST(c.sql(new_leader, "SELECT pg_is_in_recovery()").value_or("") == "f");
    BOOST_TEST(c.sql(new_leader, "CREATE TABLE after_failsafe(x int)").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
