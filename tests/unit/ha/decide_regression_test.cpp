// Goal: pin the decide() bugs the simulator's swarm found, one case per bug,
// so that each stays fixed: the result of a finished pg_rewind, a promotion
// whose list was cut before its background task (lost /sync CAS) or whose task
// failed, a promoted lock holder restarted read-only after a crash, optimistic
// state (watchdog, synchronous_standby_names) undone after a failed list, a
// standby that enters synchronous_standby_names behind its predecessor, a
// replica left on an older timeline than the leader, the divergence answer
// given in the same cycle, and the member key surviving a failed best-effort step.
// Method: decide() on the three-member fixture, feeding each transition's next
// state (and the engine's feedback or background result) into the next call,
// and checking messages, ordered actions and state (docs/notes/ha.md).
#include "fixture.hpp"

#include "support/marks.hpp"

using namespace ha_test;

namespace {

/// n1 replica whose PostgreSQL is stopped after a rewind was found necessary.
fixture stopped_replica_needing_rewind()
{
    fixture f;
    f.lock("n2");
    f.in.facts.pg_rewind_usable = true;
    f.in.facts.has_recovery_conf = true;
    f.pg.running = false;
    f.pg.accepting_connections = false;
    f.pg.state = pg::pg_state::stopped;
    f.pg.controldata_state = "shut down in recovery";
    f.st.rewind = rewind_state::need;
    return f;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ha_decide_regressions)

// ---- bug 1: the result of pg_rewind was ignored ---------------------------------

BOOST_AUTO_TEST_CASE(rewind_success_starts_the_replica)
{
    fixture f = stopped_replica_needing_rewind();
    auto again = f.run();   // without a result the rewind is (still) needed
    BOOST_TEST(again.reason == "running pg_rewind from n2");
    f.in.finished = background_result{"running pg_rewind from n2", true};
    auto t = f.run();
    BOOST_TEST(t.reason == "starting as a secondary");
    BOOST_TEST(joined(core(t)) == "begin_background,pg_start");
    BOOST_TEST(!find<pg_rewind>(t));
    BOOST_TEST((t.next.rewind == rewind_state::success));
    // After the start, the state is reset (Patroni: Rewind.reset_state after a recovery).
    f.st = t.next;
    f.in.finished = background_result{"restarting after failure", true};
    f.pg.running = f.pg.accepting_connections = true;
    f.pg.state = pg::pg_state::running;
    auto t2 = f.run();
    BOOST_TEST(t2.reason == "no action. I am (n1), a secondary, and following a leader (n2)");
    BOOST_TEST((t2.next.rewind == rewind_state::initial));
}

BOOST_AUTO_TEST_CASE(rewind_against_an_unreachable_source_is_retried)
{
    fixture f = stopped_replica_needing_rewind();
    background_result r{"running pg_rewind from n2", false};
    r.source_unreachable = true;
    f.in.finished = r;
    auto t = f.run();
    BOOST_TEST(t.reason == "running pg_rewind from n2");
    BOOST_TEST((t.next.rewind == rewind_state::need));
}

BOOST_AUTO_TEST_CASE(failed_rewind_removes_the_data_directory_when_configured)
{
    fixture f = stopped_replica_needing_rewind();
    f.cfg.remove_data_directory_on_rewind_failure = true;
    f.in.finished = background_result{"running pg_rewind from n2", false};
    auto t = f.run();
    BOOST_TEST(t.reason == "removing data directory after a failed pg_rewind");
    BOOST_TEST(joined(core(t)) == "pg_move_data_dir_aside");
    BOOST_TEST((t.next.rewind == rewind_state::initial));
}

BOOST_AUTO_TEST_CASE(failed_rewind_without_removal_starts_anyway)
{
    fixture f = stopped_replica_needing_rewind();
    f.in.finished = background_result{"running pg_rewind from n2", false};
    auto t = f.run();
    // Patroni: FAILED is "executed": no second rewind, PostgreSQL is started as a replica.
    BOOST_TEST(t.reason == "starting as a secondary");
    BOOST_TEST((t.next.rewind == rewind_state::failed));
}

// ---- bug 2: a promotion believed done --------------------------------------------

BOOST_AUTO_TEST_CASE(promotion_cut_by_a_lost_sync_cas_is_postponed_then_retried)
{
    fixture f;
    f.lock("n1");
    f.cfg.synchronous_mode = sync_mode::on;
    f.cl.sync = sync_rec(4, "n2", {"n1"}, 0);
    auto t = f.run();
    BOOST_TEST(t.reason == "promoted self to leader because I had the session lock");
    BOOST_TEST(index_of(t, "write_sync") < index_of(t, "begin_background"));
    BOOST_TEST((t.next.role == node_role::promoted));
    BOOST_TEST(t.next.promote_pending);
    // The engine stopped at write_sync (lost: a retried write met its own version) and
    // re-decides: the task never started, so the role goes back and the promotion waits.
    f.st = t.next;
    f.in.feedback = action_feedback{"write_sync", outcome::lost_race};
    marks::reset();
    auto t2 = f.run();
    BOOST_TEST(t2.reason == "Postponing promotion because synchronous replication state was updated by somebody else");
    BOOST_TEST(marks::count("promote: never happened, role back to replica") == 1u);
    BOOST_TEST((t2.next.role == node_role::replica));
    BOOST_TEST(!find<pg_promote>(t2));
    // Next cycle: the promotion is tried again instead of "no action. I am (n1), the leader".
    f.st = t2.next;
    f.in.feedback.reset();
    auto t3 = f.run();
    BOOST_TEST(t3.reason == "promoted self to leader because I had the session lock");
    BOOST_TEST(find<pg_promote>(t3));
}

BOOST_AUTO_TEST_CASE(failed_promote_task_is_retried)
{
    fixture f;
    f.lock("n1");
    auto t = f.run();
    f.st = t.next;
    f.in.background = background_task{"promote", f.t0, false};
    auto running = f.run();   // the task runs: nothing is undone
    BOOST_TEST(running.reason == "updated leader lock during promote");
    BOOST_TEST((running.next.role == node_role::promoted));
    f.st = running.next;
    f.in.background.reset();
    f.in.finished = background_result{"promote", false};
    auto t2 = f.run();
    BOOST_TEST(t2.reason == "promoted self to leader because I had the session lock");
    BOOST_TEST(find<pg_promote>(t2));
}

BOOST_AUTO_TEST_CASE(successful_promote_task_keeps_the_role)
{
    fixture f;
    f.lock("n1");
    auto t = f.run();
    f.st = t.next;
    f.in.finished = background_result{"promote", true};
    f.as_primary();
    f.st.role = node_role::promoted;
    auto t2 = f.run();
    BOOST_TEST(t2.reason == "no action. I am (n1), the leader with the lock");
    BOOST_TEST((t2.next.role == node_role::primary));
    BOOST_TEST(!t2.next.promote_pending);
}

// ---- a promoted lock holder that crashed restarts read-only, then promotes again ----

BOOST_AUTO_TEST_CASE(readonly_restart_of_the_lock_holder_promotes_again)
{
    fixture f;
    f.lock("n1");
    f.st.role = node_role::promoted;
    f.pg.running = f.pg.accepting_connections = false;
    f.pg.state = pg::pg_state::stopped;
    f.pg.controldata_state = "shut down in recovery";
    f.in.facts.has_recovery_conf = true;
    auto t = f.run();
    BOOST_TEST(t.reason == "starting as readonly because i had the session lock");
    BOOST_TEST((t.next.role == node_role::replica));   // Patroni: Postgresql.start sets the role
    f.st = t.next;
    f.in.finished = background_result{"restarting after failure", true};
    f.pg.running = f.pg.accepting_connections = true;
    f.pg.state = pg::pg_state::running;
    auto t2 = f.run();
    BOOST_TEST(t2.reason == "promoted self to leader because I had the session lock");
    BOOST_TEST(find<pg_promote>(t2));
}

// ---- optimistic state undone after a failed list ---------------------------------

BOOST_AUTO_TEST_CASE(watchdog_activation_cut_off_is_repeated)
{
    fixture f;
    f.cfg.watchdog = watchdog_mode::automatic;
    f.lock("n1");
    auto t = f.run();
    BOOST_TEST(find<watchdog_activate>(t));
    BOOST_TEST(t.next.watchdog_active);
    // The list stopped before watchdog_activate (e.g. renew_leader met its own write and
    // reported a lost race): the next decision must arm it again, not just keep it alive.
    f.st = t.next;
    f.st.role = node_role::replica;
    f.st.promote_pending = false;
    f.in.feedback = action_feedback{"write_sync", outcome::lost_race};
    auto t2 = f.run();
    BOOST_TEST(find<watchdog_activate>(t2));
    f.st = t2.next;
    f.in.feedback.reset();
    auto t3 = f.run();   // confirmed: no second activation
    BOOST_TEST(!find<watchdog_activate>(t3));
}

BOOST_AUTO_TEST_CASE(sync_standby_names_cut_off_is_not_believed)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.st.checkpoint_after_promote_done = true;
    f.cfg.synchronous_mode = sync_mode::on;
    f.cl.sync = sync_rec(3, "n1", {}, 0);
    f.pg.replication = {repl("n2", "async", 100)};
    auto t = f.run();
    BOOST_REQUIRE(find<pg_set_sync_standbys>(t));
    // pg_set_sync_standbys never ran (an earlier action failed): PostgreSQL still lists
    // nobody, so n2 must not be published in /sync on the strength of the belief.
    f.st = t.next;
    f.in.feedback = action_feedback{"renew_leader", outcome::failed};
    f.pg.replication[0].sync_state = "sync";
    auto t2 = f.run();
    BOOST_TEST(find<pg_set_sync_standbys>(t2));
    BOOST_TEST(!find<write_sync>(t2));
}

// ---- a standby entering synchronous_standby_names is ready only once caught up ----

BOOST_AUTO_TEST_CASE(new_sync_standby_must_reach_the_position_of_the_change)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.st.checkpoint_after_promote_done = true;
    f.cfg.synchronous_mode = sync_mode::on;
    f.cfg.synchronous_mode_strict = true;
    f.cl.sync = sync_rec(3, "n1", {}, 0);
    f.pg.write_lsn = lsn{5000};
    f.pg.replication = {repl("n2", "async", 1000)};
    auto t = f.run();
    BOOST_REQUIRE(find<pg_set_sync_standbys>(t));
    f.st = t.next;
    // PostgreSQL reports n2 synchronous at once, but commits acknowledged before the change
    // (up to 5000) are not on it: not ready, not published.
    f.pg.replication[0].sync_state = "sync";
    auto t2 = f.run();
    BOOST_TEST(!find<write_sync>(t2));
    f.st = t2.next;
    f.pg.replication[0].write_lsn = f.pg.replication[0].flush_lsn = lsn{5000};
    auto t3 = f.run();
    BOOST_REQUIRE(find<write_sync>(t3));
    BOOST_TEST(find<write_sync>(t3)->value.sync_standby == (std::vector<std::string>{"n2"}));
}

// ---- divergence: answered in the same cycle, decide proceeds -----------------------

BOOST_AUTO_TEST_CASE(divergence_answer_lets_a_running_replica_proceed)
{
    fixture f;   // the primary restarted: the replica re-checks its timeline
    f.lock("n2");
    f.in.facts.pg_rewind_usable = true;
    f.st.rewind = rewind_state::check;
    auto q = f.run();
    BOOST_TEST(joined(names(q)) == "pg_check_divergence");
    f.in.facts.divergence_check = divergence::no_rewind;
    auto t = f.run();
    BOOST_TEST(t.reason == "no action. I am (n1), a secondary, and following a leader (n2)");
    BOOST_TEST(find<publish_member>(t));
    BOOST_TEST((t.next.rewind == rewind_state::not_need));
    f.in.facts.divergence_check = divergence::need_rewind;
    auto t2 = f.run();
    BOOST_TEST(t2.reason == "running pg_rewind from n2");
    BOOST_TEST(index_of(t2, "publish_member") < index_of(t2, "begin_background"));
}

BOOST_AUTO_TEST_CASE(replica_behind_the_leader_timeline_checks_divergence)
{
    fixture f;
    f.lock("n2");
    f.in.facts.pg_rewind_usable = true;
    f.cl.members[1].data.timeline = 3;   // n2, the leader, publishes timeline 3
    f.pg.timeline = 2;
    auto q = f.run();
    BOOST_TEST(joined(names(q)) == "pg_check_divergence");
    f.in.facts.divergence_check = divergence::need_rewind;
    auto t = f.run();
    BOOST_TEST(t.reason == "running pg_rewind from n2");
}

// ---- the member key is not skipped by a failing best-effort step ------------------

BOOST_AUTO_TEST_CASE(member_key_precedes_slots_and_callbacks)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    auto t = f.run();
    BOOST_TEST(index_of(t, "publish_member") < index_of(t, "pg_sync_slots"));
    BOOST_TEST(names(t).back() == "pg_checkpoint");
}

// ---- the initialize race on the real daemon: a loser exited ------------------------

BOOST_AUTO_TEST_CASE(losing_the_initialize_race_waits_for_the_winner)
{
    // A fresh node, empty data directory, empty DCS: it races for `initialize`.
    fixture f;
    f.cl = dcs::cluster_snapshot{};
    f.pg = pg::local_pg_state{};
    f.st = ha_state{};
    f.in.facts = local_facts{};
    auto race = f.run();
    BOOST_TEST(race.reason == "trying to bootstrap a new cluster");
    BOOST_TEST(race.next.bootstrapping);
    // Another node created the key first: the engine stops at write_initialize,
    // re-reads the cluster and decides again with the lost race as feedback.
    f.st = race.next;
    f.cl.initialize = "";
    f.in.feedback = action_feedback{"write_initialize", outcome::lost_race};
    auto lost = f.run();
    BOOST_TEST(lost.reason == "failed to acquire initialize lock");
    BOOST_TEST(!lost.next.bootstrapping);
    BOOST_TEST(!find<exit_daemon>(lost));
    BOOST_TEST(!find<pg_move_data_dir_aside>(lost));
    // Next cycle, without feedback: it waits for the winner's bootstrap.
    f.st = lost.next;
    f.in.feedback.reset();
    auto wait = f.run();
    BOOST_TEST(wait.reason == "waiting for leader to bootstrap");
    BOOST_TEST(!find<exit_daemon>(wait));
}

BOOST_AUTO_TEST_SUITE_END()
