// Goal: the decisions the simulator's `modes` profile showed unsafe stay fixed
// (docs/notes/ha.md, "Found by the simulator"): a primary whose member key
// expired is still asked in the race; a member missing from /failsafe never
// takes the lock, not even as a manual failover candidate, and the others do
// not wait for it; a switchover whose leader vanished in quorum mode is raced
// among the voters instead of handed to the candidate unchecked; a shutdown
// in pause ends the daemon.
// Method: the unlocked three-member fixture (me = n1), one case per finding,
// each also checking the unbroken neighbour case so that it cannot pass by
// refusing everything.
#include "fixture.hpp"

#include "support/marks.hpp"

using namespace ha_test;

namespace {

/// Failsafe mode on, /failsafe listing `listed`.
void failsafe_listing(fixture& f, const std::vector<std::string>& listed)
{
    f.cfg.failsafe_mode = true;
    dcs::failsafe_record fs;
    fs.version = 3;
    for (const auto& n : listed) fs.members.emplace_back(n, "http://" + n + "/patroni");
    f.cl.failsafe = fs;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ha_decide_sim_findings)

BOOST_AUTO_TEST_CASE(members_of_the_last_locked_snapshot_are_asked_in_the_race)
{
    fixture f;
    // n4 was the leader; its keys expired (a primary cut off from the DCS) but it still runs.
    f.st.old_cluster_members = {{"n1", "http://n1/patroni"},
                                {"n2", "http://n2/patroni"},
                                {"n3", "http://n3/patroni"},
                                {"n4", "http://n4/patroni"}};
    auto q = f.run();
    BOOST_REQUIRE(find<fetch_peers>(q));
    const auto& fp = *find<fetch_peers>(q);
    BOOST_TEST(fp.members == (std::vector<std::string>{"n2", "n3", "n4"}));
    BOOST_REQUIRE(fp.api_urls.size() == 3u);
    BOOST_TEST(fp.api_urls[2] == "http://n4/patroni");   // the URL it had, not a current member's

    f.peers({peer("n2", 90), peer("n3", 90), peer("n4", 80, false)});
    marks::reset();
    auto t = f.run();
    BOOST_TEST(t.reason == "following a different leader because i am not the healthiest node");
    BOOST_TEST(marks::count("race: primary is still alive") == 1u);

    f.in.peers->at(2).reachable = false;   // the old primary is really gone
    auto won = f.run();
    BOOST_TEST(won.reason == "promoted self to leader by acquiring session lock");
}

BOOST_AUTO_TEST_CASE(failover_candidate_missing_from_failsafe_does_not_take_the_lock)
{
    fixture f;
    failsafe_listing(f, {"n2", "n3"});   // written while n1 was away
    f.cl.failover = failover_rec(4, "", "n1");
    f.peers({peer("n2", 90), peer("n3", 90)});
    marks::reset();
    auto t = f.run();
    BOOST_TEST(!find<acquire_leader>(t));
    BOOST_TEST(marks::count("race: manual failover refused, not in /failsafe") == 1u);

    f.cl.failsafe->members.emplace_back("n1", "http://n1/patroni");   // listed: the failover proceeds
    auto ok = f.run();
    BOOST_TEST(ok.reason == "promoted self to leader by acquiring session lock");
}

BOOST_AUTO_TEST_CASE(members_do_not_wait_for_a_candidate_failsafe_excludes)
{
    fixture f;
    failsafe_listing(f, {"n1", "n3"});
    f.cl.failover = failover_rec(4, "", "n2");   // n2 is healthy but may not take the lock
    f.peers({peer("n2", 100), peer("n3", 90)});
    marks::reset();
    auto t = f.run();
    BOOST_TEST(t.reason == "promoted self to leader by acquiring session lock");
    BOOST_TEST(marks::count("manual failover: candidate unhealthy, considering all members") == 1u);

    f.cl.failsafe->members.emplace_back("n2", "http://n2/patroni");   // n2 listed: wait for it
    auto wait = f.run();
    BOOST_TEST(!find<acquire_leader>(wait));
}

BOOST_AUTO_TEST_CASE(orphaned_switchover_in_quorum_mode_is_raced_among_voters)
{
    fixture f;
    f.cfg.synchronous_mode = sync_mode::quorum;
    f.cl.sync = sync_rec(2, "n3", {"n1", "n2"}, 1);
    f.cl.members = {member("n1"), member("n2")};   // n3, the leader, is gone
    f.cl.failover = failover_rec(5, "n3", "n1");
    f.peers({peer("n2", 150)});   // the other voter has commits the candidate lacks
    marks::reset();
    auto t = f.run();
    BOOST_TEST(!find<acquire_leader>(t));
    BOOST_TEST(marks::count("manual failover: switchover leader gone in quorum mode, voters race") == 1u);

    f.peers({peer("n2", 100)});   // the candidate is as far as any voter: it wins
    auto won = f.run();
    BOOST_TEST(won.reason == "promoted self to leader by acquiring session lock");

    f.cfg.synchronous_mode = sync_mode::on;   // priority mode: a /sync member has every commit
    f.cl.sync = sync_rec(2, "n3", {"n1"}, 0);
    f.peers({peer("n2", 150)});
    auto handed = f.run();
    BOOST_TEST(handed.reason == "promoted self to leader by acquiring session lock");
}

BOOST_AUTO_TEST_CASE(shutdown_in_pause_leaves_postgres_running)
{
    fixture f;
    f.cfg.pause = true;
    f.lock("n2");
    f.in.requests.shutdown = true;
    auto t = f.run();
    BOOST_TEST(t.reason == "PAUSE: shutting down, PostgreSQL left running");
    BOOST_TEST(!find<pg_stop>(t));
    BOOST_TEST(ends_shutdown(t));
    f.cfg.pause = false;
    auto stop = f.run();
    BOOST_TEST(ends_shutdown(stop));
    BOOST_TEST(find<pg_stop>(stop));
}

BOOST_AUTO_TEST_SUITE_END()
