// Goal: decide() takes Patroni's decisions (ha-loop.md 3) and returns the exact
// status strings of ha-loop.md 4.
// Method: table-like cases on a three-member fixture (n1 = us, n2, n3): each
// case sets up the snapshot, the local probe, peers and feedback, runs one
// decide() and checks the message, the ordered action names and the next
// state; the fixture also asserts that every result is a legal role edge.
#include "fixture.hpp"

#include "support/marks.hpp"

using namespace ha_test;

BOOST_AUTO_TEST_SUITE(ha_decide_leader)

BOOST_AUTO_TEST_CASE(replica_follows_the_leader)
{
    fixture f;
    f.lock("n2");
    auto t = f.run();
    BOOST_TEST(t.reason == "no action. I am (n1), a secondary, and following a leader (n2)");
    BOOST_TEST(joined(core(t)) == "pg_sync_slots");
    // The member key goes before best-effort steps: a failing slot sync must not skip it.
    BOOST_TEST(joined(names(t)) == "publish_member,pg_sync_slots");
    BOOST_TEST((t.next.role == node_role::replica));
}

BOOST_AUTO_TEST_CASE(member_key_carries_the_pending_restart_reasons)
{
    fixture f;
    f.lock("n2");
    f.pg.pending_restart_reason["shared_buffers"] = pg::param_change{"128MB", "256MB"};
    f.pg.pending_restart_reason["max_connections"] = pg::param_change{"100", "200"};
    auto t = f.run();
    const auto* m = find<publish_member>(t);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->data.pending_restart);
    BOOST_REQUIRE(m->data.pending_restart_reasons.size() == 2u);
    BOOST_TEST(m->data.pending_restart_reasons[0].name == "max_connections");   // GUC order
    BOOST_TEST(m->data.pending_restart_reasons[1].old_value == "128MB");
    BOOST_TEST(m->data.pending_restart_reasons[1].new_value == "256MB");
    f.pg.pending_restart_reason.clear();
    const auto t2 = f.run();
    const auto* none = find<publish_member>(t2);
    BOOST_TEST((none == nullptr || !none->data.pending_restart));
}

BOOST_AUTO_TEST_CASE(replica_repoints_when_the_leader_changes)
{
    fixture f;
    f.lock("n3");
    auto t = f.run();
    BOOST_TEST(t.reason == "no action. I am (n1), a secondary, and following a leader (n3)");
    const auto* fol = find<pg_follow>(t);
    BOOST_REQUIRE(fol);
    BOOST_TEST(*fol->target.member == "n3");
    BOOST_TEST(*fol->target.slot_name == "n1");
    BOOST_TEST(!fol->restart);
}

BOOST_AUTO_TEST_CASE(leader_with_the_lock_refreshes_it)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.st.checkpoint_after_promote_done = true;
    auto t = f.run();
    BOOST_TEST(t.reason == "no action. I am (n1), the leader with the lock");
    BOOST_TEST(joined(core(t)) == "renew_leader,pg_sync_slots");
    BOOST_TEST(t.next.leader_until.has_value());
}

BOOST_AUTO_TEST_CASE(lock_holder_in_recovery_promotes)
{
    fixture f;
    f.lock("n1");
    auto t = f.run();
    BOOST_TEST(t.reason == "promoted self to leader because I had the session lock");
    BOOST_TEST(joined(core(t)) == "renew_leader,begin_background,pg_promote,run_callback");
    BOOST_TEST((t.next.role == node_role::promoted));
}

BOOST_AUTO_TEST_CASE(primary_without_the_lock_demotes)
{
    fixture f;
    f.as_primary();
    f.lock("n2");
    auto t = f.run();
    BOOST_TEST(t.reason == "demoting self because I do not have the lock and I was a leader");
    BOOST_TEST(joined(core(t)) == "pg_stop,begin_background,pg_start");
    BOOST_TEST((find<pg_stop>(t)->mode == pg::stop_mode::immediate));
    BOOST_TEST(*find<pg_start>(t)->follow->member == "n2");
    BOOST_TEST((t.next.role == node_role::demoted));
    BOOST_TEST(!find<release_leader>(t));
}

BOOST_AUTO_TEST_CASE(lost_refresh_demotes_a_primary)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.in.feedback = action_feedback{"renew_leader", outcome::lost_race};
    auto t = f.run();
    BOOST_TEST(t.reason == "demoted self because failed to update leader lock in DCS");
    BOOST_TEST(joined(core(t)) == "pg_stop,begin_background,pg_start");
    BOOST_TEST(!t.next.leader_until.has_value());
}

BOOST_AUTO_TEST_CASE(lost_refresh_on_a_replica_does_not_promote)
{
    fixture f;
    f.lock("n1");
    f.in.feedback = action_feedback{"renew_leader", outcome::lost_race};
    auto t = f.run();
    BOOST_TEST(t.reason == "not promoting because failed to update leader lock in DCS");
    BOOST_TEST(!find<pg_promote>(t));
}

BOOST_AUTO_TEST_CASE(paused_primary_keeps_running_after_lost_refresh)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.cfg.pause = true;
    f.in.feedback = action_feedback{"renew_leader", outcome::lost_race};
    auto t = f.run();
    BOOST_TEST(t.reason == "PAUSE: continue to run as primary after failing to update leader lock in DCS");
    BOOST_TEST(!find<pg_stop>(t));
}

BOOST_AUTO_TEST_CASE(paused_lock_holder_not_primary_releases)
{
    fixture f;
    f.lock("n1");
    f.cfg.pause = true;
    auto t = f.run();
    BOOST_TEST(t.reason == "PAUSE: removed leader lock because postgres is not running as primary");
    BOOST_TEST(core(t).front() == "release_leader");
}

BOOST_AUTO_TEST_CASE(paused_candidate_waits_for_its_promotion)
{
    fixture f;
    f.lock("n1");
    f.cfg.pause = true;
    f.cl.failover = failover_rec(3, "", "n1", std::nullopt);
    auto t = f.run();
    BOOST_TEST(t.reason == "PAUSE: waiting to become primary after promote...");
}

BOOST_AUTO_TEST_CASE(paused_primary_without_lock_continues)
{
    fixture f;
    f.as_primary();
    f.lock("n2");
    f.cfg.pause = true;
    auto t = f.run();
    BOOST_TEST(t.reason == "PAUSE: continue to run as primary without lock");
    BOOST_TEST(!find<pg_stop>(t));
}

BOOST_AUTO_TEST_CASE(paused_replica_without_leader_does_nothing)
{
    fixture f;
    f.cfg.pause = true;
    auto t = f.run();
    BOOST_TEST(t.reason == "PAUSE: no action. I am (n1)");
    BOOST_TEST(!find<acquire_leader>(t));
}

BOOST_AUTO_TEST_CASE(watchdog_required_but_unusable_prevents_promotion)
{
    fixture f;
    f.lock("n1");
    f.cfg.watchdog = watchdog_mode::required;
    f.cfg.watchdog_usable = false;
    auto t = f.run();
    BOOST_TEST(t.reason == "Not promoting self because watchdog could not be activated");
    BOOST_TEST(find<release_leader>(t));
    BOOST_TEST(!find<pg_promote>(t));
}

BOOST_AUTO_TEST_CASE(watchdog_activation_failure_demotes_primary)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.cfg.watchdog = watchdog_mode::required;
    f.st.watchdog_active = true;
    f.in.feedback = action_feedback{"watchdog_activate", outcome::failed};
    auto t = f.run();
    BOOST_TEST(t.reason == "Demoting self because watchdog could not be activated");
    // demote (stop) strictly before releasing the key
    BOOST_TEST(index_of(t, "pg_stop") < index_of(t, "release_leader"));
}

BOOST_AUTO_TEST_CASE(watchdog_is_armed_before_promotion)
{
    fixture f;
    f.lock("n1");
    f.cfg.watchdog = watchdog_mode::automatic;
    auto t = f.run();
    BOOST_TEST(index_of(t, "watchdog_activate") < index_of(t, "pg_promote"));
    BOOST_TEST(t.next.watchdog_active);
}

BOOST_AUTO_TEST_CASE(pre_promote_failure_releases_and_backs_off)
{
    fixture f;
    f.lock("n1");
    f.in.finished = background_result{"promote", false, true};
    auto t = f.run();
    BOOST_TEST(t.reason == "Promotion cancelled because the pre-promote script failed");
    BOOST_TEST(t.next.released_leader_key_at.has_value());
}

BOOST_AUTO_TEST_CASE(standby_leader_with_lock)
{
    fixture f;
    f.cfg.standby_cluster = standby_cluster_config{"10.0.0.1", "5432", {}, {}, {}, {}, {}};
    f.st.role = node_role::standby_leader;
    f.in.facts.following = "postgres://10.0.0.1:5432/postgres";
    f.lock("n1");
    auto t = f.run();
    BOOST_TEST(t.reason == "no action. I am (n1), the standby leader with the lock");
    BOOST_TEST(!find<pg_promote>(t));
}

BOOST_AUTO_TEST_CASE(replica_becomes_standby_leader)
{
    fixture f;
    f.cfg.standby_cluster = standby_cluster_config{"10.0.0.1", "5432", {}, {}, {}, {}, {}};
    f.lock("n1");
    auto t = f.run();
    BOOST_TEST(t.reason == "promoted self to a standby leader because i had the session lock");
    BOOST_TEST((t.next.role == node_role::standby_leader));
    BOOST_TEST(find<pg_follow>(t)->target.conn_url == "postgres://10.0.0.1:5432/postgres");
}

BOOST_AUTO_TEST_CASE(standby_cluster_replica_follows_standby_leader)
{
    fixture f;
    f.cfg.standby_cluster = standby_cluster_config{"10.0.0.1", "5432", {}, {}, {}, {}, {}};
    f.lock("n2");
    auto t = f.run();
    BOOST_TEST(t.reason == "no action. I am (n1), a secondary, and following a standby leader (n2)");
}

BOOST_AUTO_TEST_CASE(real_primary_in_standby_cluster_demotes)
{
    fixture f;
    f.cfg.standby_cluster = standby_cluster_config{"10.0.0.1", "5432", {}, {}, {}, {}, {}};
    f.as_primary();
    f.lock("n2");
    auto t = f.run();
    BOOST_TEST(t.reason == "cannot be a real primary in a standby cluster");
    BOOST_TEST(find<begin_background>(t)->name == "demoting to a standby cluster");
}

BOOST_AUTO_TEST_SUITE_END()
