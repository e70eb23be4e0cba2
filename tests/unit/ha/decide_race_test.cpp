// Goal: the leader race of ha-loop.md 5 (healthiest node, backoff, lost race)
// and the DCS-failure handling of ha-loop.md 17 and 20.
// Method: an unlocked three-member fixture; peers' /patroni answers are given
// as inputs::peers; a missing answer set must produce a fetch_peers query
// with the state unchanged. Each case checks message, actions and next state.
#include "fixture.hpp"

#include "support/marks.hpp"

using namespace ha_test;

BOOST_AUTO_TEST_SUITE(ha_decide_race)

BOOST_AUTO_TEST_CASE(needs_peers_before_racing)
{
    fixture f;
    auto t = f.run();
    BOOST_TEST(joined(names(t)) == "fetch_peers");
    BOOST_TEST(find<fetch_peers>(t)->members == (std::vector<std::string>{"n2", "n3"}));
    BOOST_TEST(!t.next.leader_until.has_value());
    BOOST_TEST((t.next.role == f.st.role));
}

BOOST_AUTO_TEST_CASE(healthiest_replica_takes_the_lock_and_promotes)
{
    fixture f;
    f.peers({peer("n2", 90), peer("n3", 100)});
    marks::reset();
    auto t = f.run();
    BOOST_TEST(t.reason == "promoted self to leader by acquiring session lock");
    BOOST_TEST(joined(core(t)) == "acquire_leader,begin_background,pg_promote,run_callback");
    BOOST_TEST(index_of(t, "acquire_leader") < index_of(t, "pg_promote"));
    BOOST_TEST(marks::count("race: acquiring the leader lock") == 1u);
    BOOST_TEST((t.next.role == node_role::promoted));
}

BOOST_AUTO_TEST_CASE(running_primary_takes_a_free_lock)
{
    fixture f;
    f.as_primary();
    f.st.checkpoint_after_promote_done = true;
    f.peers({peer("n2", 90), peer("n3", 90)});
    auto t = f.run();
    BOOST_TEST(t.reason == "acquired session lock as a leader");
    BOOST_TEST(joined(core(t)) == "acquire_leader,pg_sync_slots");
}

BOOST_AUTO_TEST_CASE(primary_behind_the_cluster_timeline_does_not_race)
{
    fixture f;
    f.as_primary();
    f.cl.history = history_rec({history_ln(1, 50, "no recovery target specified")});
    f.peers({peer("n2", 90), peer("n3", 90)});
    auto t = f.run();
    BOOST_TEST(t.reason == "demoting self because i am not the healthiest node");
}

BOOST_AUTO_TEST_CASE(peer_ahead_wins)
{
    fixture f;
    f.peers({peer("n2", 150), peer("n3", 100)});
    marks::reset();
    auto t = f.run();
    BOOST_TEST(t.reason == "following a different leader because i am not the healthiest node");
    BOOST_TEST(!find<acquire_leader>(t));
    BOOST_TEST(marks::count("race: a peer is ahead") == 1u);
}

BOOST_AUTO_TEST_CASE(alive_primary_peer_stops_the_race)
{
    fixture f;
    f.peers({peer("n2", 50, false), peer("n3", 100)});
    marks::reset();
    auto t = f.run();
    BOOST_TEST(t.reason == "following a different leader because i am not the healthiest node");
    BOOST_TEST(marks::count("race: primary is still alive") == 1u);
}

BOOST_AUTO_TEST_CASE(lagging_beyond_maximum_lag_does_not_race)
{
    fixture f;
    f.cl.status = status_rec(100 + 2 * 1048576);
    f.peers({});
    auto t = f.run();
    BOOST_TEST(t.reason == "following a different leader because i am not the healthiest node");
}

BOOST_AUTO_TEST_CASE(equal_position_lower_failover_priority_loses)
{
    fixture f;
    f.cfg.tags.failover_priority = 1;
    auto p2 = peer("n2", 100);
    p2.failover_priority = 5;
    f.peers({p2, peer("n3", 90)});
    auto t = f.run();
    BOOST_TEST(t.reason == "following a different leader because i am not the healthiest node");
}

BOOST_AUTO_TEST_CASE(unreachable_and_nofailover_peers_are_ignored)
{
    fixture f;
    auto p2 = peer("n2", 500);
    p2.nofailover = true;
    auto p3 = peer("n3", 500);
    p3.reachable = false;
    f.peers({p2, p3});
    auto t = f.run();
    BOOST_TEST(t.reason == "promoted self to leader by acquiring session lock");
}

BOOST_AUTO_TEST_CASE(nofailover_node_never_races)
{
    fixture f;
    f.cfg.tags.nofailover = true;
    f.peers({});
    auto t = f.run();
    BOOST_TEST(t.reason == "following a different leader because I am not allowed to promote");
}

BOOST_AUTO_TEST_CASE(nofailover_primary_demotes)
{
    fixture f;
    f.as_primary();
    f.cl.history = history_rec({history_ln(1, 50, "x")});
    f.cfg.tags.failover_priority = 0;
    f.peers({});
    auto t = f.run();
    BOOST_TEST(t.reason == "demoting self because I am not allowed to become primary");
}

BOOST_AUTO_TEST_CASE(lost_creation_race_follows_the_winner)
{
    fixture f;
    f.lock("n3");
    f.cl.leader.reset();
    f.in.feedback = action_feedback{"acquire_leader", outcome::lost_race};
    auto t = f.run();
    BOOST_TEST(t.reason == "following new leader after trying and failing to obtain lock");
    BOOST_TEST(!find<acquire_leader>(t));
}

BOOST_AUTO_TEST_CASE(lost_creation_race_demotes_a_primary)
{
    fixture f;
    f.as_primary();
    f.in.feedback = action_feedback{"acquire_leader", outcome::lost_race};
    auto t = f.run();
    BOOST_TEST(t.reason == "demoted self after trying and failing to obtain lock");
}

BOOST_AUTO_TEST_CASE(pre_promote_backoff_skips_the_race)
{
    fixture f;
    f.st.released_leader_key_at = f.t0 - std::chrono::seconds(5);
    f.peers({});
    auto t = f.run();
    BOOST_TEST(t.reason == "following a different leader because i am not the healthiest node");
}

BOOST_AUTO_TEST_CASE(primary_race_backoff_postpones_the_race)
{
    fixture f;
    f.cfg.primary_race_backoff = std::chrono::seconds(30);
    f.st.prev_wal_lsn = lsn{90};
    f.pg.is_streaming = true;
    auto t = f.run();
    BOOST_TEST(t.reason == "My (n1) wal position moved since last heart beat loop, 30 seconds until leader race");
    BOOST_TEST(t.next.race_backoff_started.has_value());
    // ten seconds later, the WAL no longer moves: race
    f.st = t.next;
    f.in.now += std::chrono::seconds(25);
    f.pg.receive_lsn = f.pg.replay_lsn = lsn{90};
    f.peers({});
    auto t2 = f.run();
    BOOST_TEST(t2.reason == "promoted self to leader by acquiring session lock");
}

BOOST_AUTO_TEST_CASE(manual_failover_candidate_takes_the_lock)
{
    fixture f;
    f.cl.failover = failover_rec(4, "", "n1", std::nullopt);
    auto t = f.run();
    BOOST_TEST(t.reason == "promoted self to leader by acquiring session lock");
    BOOST_TEST(index_of(t, "acquire_leader") < index_of(t, "clear_failover"));
}

BOOST_AUTO_TEST_CASE(healthy_candidate_elsewhere_keeps_us_out)
{
    fixture f;
    f.cl.failover = failover_rec(4, "", "n2", std::nullopt);
    f.peers({peer("n2", 10), peer("n3", 10)});
    auto t = f.run();
    BOOST_TEST(t.reason == "following a different leader because i am not the healthiest node");
}

BOOST_AUTO_TEST_CASE(sync_mode_non_member_does_not_race)
{
    fixture f;
    f.cfg.synchronous_mode = sync_mode::on;
    f.cl.sync = sync_rec(2, "n2", {"n3"}, 0);
    f.peers({});
    auto t = f.run();
    BOOST_TEST(t.reason == "following a different leader because i am not the healthiest node");
}

BOOST_AUTO_TEST_CASE(sync_mode_former_leader_ahead_is_ignored)
{
    fixture f;
    f.cfg.synchronous_mode = sync_mode::on;
    f.cl.sync = sync_rec(2, "n2", {"n1"}, 0);
    auto p2 = peer("n2", 500);
    p2.reachable = true;
    f.peers({p2, peer("n3", 100)});
    auto t = f.run();
    BOOST_TEST(t.reason == "promoted self to leader by acquiring session lock");
    // priority mode, not strict: /sync rewritten with no voters before promoting
    const auto* w = find<write_sync>(t);
    BOOST_REQUIRE(w);
    BOOST_TEST(w->value.leader == "n1");
    BOOST_TEST(w->version == 2);
    BOOST_TEST(index_of(t, "write_sync") < index_of(t, "pg_promote"));
}

BOOST_AUTO_TEST_CASE(sync_cas_loss_postpones_promotion)
{
    fixture f;
    f.lock("n1");
    f.cfg.synchronous_mode = sync_mode::on;
    f.in.feedback = action_feedback{"write_sync", outcome::lost_race};
    auto t = f.run();
    BOOST_TEST(t.reason == "Postponing promotion because synchronous replication state was updated by somebody else");
    BOOST_TEST(!find<pg_promote>(t));
}

BOOST_AUTO_TEST_CASE(quorum_needs_votes)
{
    fixture f;
    f.cfg.synchronous_mode = sync_mode::quorum;
    f.cl.sync = sync_rec(2, "n3", {"n1", "n2"}, 1);
    auto p2 = peer("n2", 100);
    f.peers({p2, peer("n3", 0, true)});
    auto t = f.run();   // n2 at the same LSN votes for us: 1 >= quorum 1
    BOOST_TEST(t.reason == "promoted self to leader by acquiring session lock");
    f.peers({peer("n3", 0)});   // nobody votes
    f.in.peers->at(0).reachable = false;
    auto t2 = f.run();
    BOOST_TEST(t2.reason == "following a different leader because i am not the healthiest node");
}

BOOST_AUTO_TEST_CASE(dcs_unreachable_on_a_replica)
{
    fixture f;
    f.lock("n2");
    f.in.cluster = dcs_unavailable{f.t0, error_code{}};
    f.in.local = f.pg;
    f.in.config = &f.cfg;
    auto t = decide(f.st, f.in);
    BOOST_TEST(t.reason == "DCS is not accessible");
    BOOST_TEST(t.actions.empty());   // no member key in such a cycle
}

BOOST_AUTO_TEST_CASE(dcs_unreachable_primary_demotes_offline)
{
    fixture f;
    f.as_primary();
    f.in.feedback = action_feedback{"renew_leader", outcome::dcs_error};
    auto t = f.run();
    BOOST_TEST(t.reason == "demoted self because DCS is not accessible and I was a leader");
    BOOST_TEST(joined(names(t)) == "pg_stop,pg_start");
    BOOST_TEST((find<pg_stop>(t)->mode == pg::stop_mode::fast));
    BOOST_TEST(!find<pg_start>(t)->follow.has_value());
    BOOST_TEST(!find<release_leader>(t));
}

BOOST_AUTO_TEST_CASE(dcs_unreachable_paused_primary_keeps_running)
{
    fixture f;
    f.as_primary();
    f.cfg.pause = true;
    f.in.feedback = action_feedback{"renew_leader", outcome::dcs_error};
    auto t = f.run();
    BOOST_TEST(t.reason == "PAUSE: DCS is not accessible");
    BOOST_TEST(t.actions.empty());
}

BOOST_AUTO_TEST_CASE(failsafe_keeps_the_primary_when_all_accept)
{
    fixture f;
    f.as_primary();
    f.cfg.failsafe_mode = true;
    f.st.failsafe_topology = {{"n1", "u1"}, {"n2", "u2"}, {"n3", "u3"}};
    f.in.feedback = action_feedback{"renew_leader", outcome::dcs_error};
    auto q = f.run();
    BOOST_TEST(joined(names(q)) == "post_failsafe");
    f.in.failsafe_all_accepted = true;
    auto t = f.run();
    BOOST_TEST(t.reason == "continue to run as a leader because failsafe mode is enabled and all members are accessible");
    BOOST_TEST(t.next.failsafe_active);
    BOOST_TEST(!find<pg_stop>(t));
    f.in.failsafe_all_accepted = false;
    auto t2 = f.run();
    BOOST_TEST(t2.reason == "demoted self because DCS is not accessible and I was a leader");
}

BOOST_AUTO_TEST_SUITE_END()
