// Goal: the non-steady-state paths of ha-loop.md 3: long actions (9.4),
// starting (9.3), recovery after a crash (9.1, 9.2), empty data directory and
// bootstrap (11), identity checks (3 steps 10-11), manual switchover on the
// leader (7.2), synchronous replication on the primary (13) and history (15).
// Method: one decide() per case on the three-member fixture; the message,
// ordered actions and next state are checked.
#include "fixture.hpp"

#include "support/marks.hpp"

using namespace ha_test;

BOOST_AUTO_TEST_SUITE(ha_decide_lifecycle)

// ---- long actions ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(long_action_refreshes_the_lock)
{
    fixture f;
    f.lock("n1");
    f.in.background = background_task{"promote", f.t0, true};
    auto t = f.run();
    BOOST_TEST(t.reason == "updated leader lock during promote");
    BOOST_TEST(find<renew_leader>(t)->with_status == false);
}

BOOST_AUTO_TEST_CASE(long_action_without_lock_is_in_progress)
{
    fixture f;
    f.lock("n2");
    f.in.background = background_task{"restarting after failure", f.t0, false};
    auto t = f.run();
    BOOST_TEST(t.reason == "restarting after failure in progress");
}

BOOST_AUTO_TEST_CASE(lost_leader_before_promote)
{
    fixture f;
    f.lock("n2");
    f.in.background = background_task{"promote", f.t0, false};
    auto t = f.run();
    BOOST_TEST(t.reason == "lost leader before promote");
    BOOST_TEST(joined(core(t)) == "cancel_background");
}

BOOST_AUTO_TEST_CASE(lost_leader_lock_during_a_restart_of_the_primary)
{
    fixture f;
    f.as_primary();
    f.lock("n2");
    f.in.background = background_task{"restart", f.t0, false};
    auto t = f.run();
    BOOST_TEST(t.reason == "lost leader lock during restart");
    BOOST_TEST(index_of(t, "cancel_background") < index_of(t, "pg_stop"));
}

BOOST_AUTO_TEST_CASE(crash_recovery_timeout_fails_over)
{
    fixture f;
    f.lock("n1");
    f.pg.running = false;
    f.st.crash_recovery_started = f.t0 - std::chrono::seconds(400);
    f.in.background = background_task{"doing crash recovery in a single user mode", f.t0, false};
    f.peers({peer("n2", 100), peer("n3", 100)});
    auto t = f.run();
    BOOST_TEST(t.reason == "terminated crash recovery because of startup timeout");
    BOOST_TEST(find<release_leader>(t));
}

// ---- starting ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(primary_still_starting_counts_down)
{
    fixture f;
    f.lock("n1");
    f.pg.accepting_connections = false;
    f.st.starting_since = f.t0 - std::chrono::seconds(100);
    auto t = f.run();
    BOOST_TEST(t.reason == "PostgreSQL is still starting up, 200 seconds until timeout");
}

BOOST_AUTO_TEST_CASE(primary_start_timeout_fails_over_when_possible)
{
    fixture f;
    f.lock("n1");
    f.pg.accepting_connections = false;
    f.st.starting_since = f.t0 - std::chrono::seconds(301);
    f.peers({peer("n2", 100), peer("n3", 100)});
    auto t = f.run();
    BOOST_TEST(t.reason == "stopped PostgreSQL because of startup timeout");
    f.peers({});
    auto t2 = f.run();
    BOOST_TEST(t2.reason == "primary start has timed out, but continuing to wait because failover is not possible");
}

BOOST_AUTO_TEST_CASE(lost_lock_while_starting)
{
    fixture f;
    f.lock("n1");
    f.pg.accepting_connections = false;
    f.in.feedback = action_feedback{"renew_leader", outcome::lost_race};
    auto t = f.run();
    BOOST_TEST(t.reason == "stopped PostgreSQL while starting up because leader key was lost");
}

// ---- PostgreSQL not running ------------------------------------------------------

BOOST_AUTO_TEST_CASE(stopped_replica_starts_as_a_secondary)
{
    fixture f;
    f.lock("n2");
    f.pg.running = false;
    f.pg.controldata_state = "shut down in recovery";
    auto t = f.run();
    BOOST_TEST(t.reason == "starting as a secondary");
    BOOST_TEST(joined(core(t)) == "begin_background,pg_start");
    BOOST_TEST(*find<pg_start>(t)->follow->member == "n2");
    BOOST_TEST(t.next.recovering);
}

BOOST_AUTO_TEST_CASE(crashed_primary_with_lock_restarts_as_primary)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.pg.running = false;
    f.st.pg_was_running = true;
    auto t = f.run();
    BOOST_TEST(t.reason == "starting primary after failure");
    BOOST_TEST((find<pg_start>(t)->role == pg::start_role::primary));
    BOOST_TEST(index_of(t, "renew_leader") < index_of(t, "pg_start"));
}

BOOST_AUTO_TEST_CASE(stopped_lock_holder_starts_readonly)
{
    fixture f;
    f.lock("n1");
    f.pg.running = false;
    f.pg.controldata_state = "shut down in recovery";
    auto t = f.run();
    BOOST_TEST(t.reason == "starting as readonly because i had the session lock");
    BOOST_TEST(!find<pg_start>(t)->follow.has_value());
}

BOOST_AUTO_TEST_CASE(crash_with_zero_start_timeout_fails_over)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.cfg.primary_start_timeout = std::chrono::seconds(0);
    f.pg.running = false;
    f.peers({peer("n2", 100), peer("n3", 100)});
    auto t = f.run();
    BOOST_TEST(t.reason == "stopped PostgreSQL to fail over after a crash");
    BOOST_TEST(find<release_leader>(t));
}

BOOST_AUTO_TEST_CASE(unclean_stop_without_leader_runs_crash_recovery)
{
    fixture f;
    f.as_primary();
    f.pg.running = false;
    f.pg.controldata_state = "in production";
    auto t = f.run();
    BOOST_TEST(t.reason == "doing crash recovery in a single user mode");
    BOOST_TEST(t.next.crash_recovery_executed);
}

BOOST_AUTO_TEST_CASE(failed_start_of_the_lock_holder_releases)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.pg.running = false;
    f.st.recovering = true;
    auto t = f.run();
    BOOST_TEST(t.reason == "removed leader key after trying and failing to start postgres");
    BOOST_TEST((t.next.role == node_role::demoted));
    f.lock("n2");
    auto t2 = f.run();
    BOOST_TEST(t2.reason == "failed to start postgres");
}

BOOST_AUTO_TEST_CASE(paused_stopped_postgres_stays_stopped)
{
    fixture f;
    f.cfg.pause = true;
    f.lock("n2");
    f.pg.running = false;
    auto t = f.run();
    BOOST_TEST(t.reason == "PAUSE: postgres is not running");
    f.lock("n1");
    auto t2 = f.run();
    BOOST_TEST(t2.reason == "PAUSE: removed leader lock because postgres is not running");
}

BOOST_AUTO_TEST_CASE(diverged_replica_runs_pg_rewind)
{
    fixture f;
    f.lock("n2");
    f.in.facts.pg_rewind_usable = true;
    f.pg.running = false;
    f.pg.controldata_state = "shut down";
    auto q = f.run();
    BOOST_TEST(joined(core(q)) == "pg_check_divergence");
    f.in.facts.divergence_check = divergence::need_rewind;
    auto t = f.run();
    BOOST_TEST(t.reason == "running pg_rewind from n2");
    BOOST_TEST((t.next.rewind == rewind_state::need));
}

BOOST_AUTO_TEST_CASE(diverged_replica_reinitializes_without_rewind)
{
    fixture f;
    f.lock("n2");
    f.cfg.remove_data_directory_on_diverged_timelines = true;
    f.pg.running = false;
    f.pg.controldata_state = "shut down";
    f.in.facts.divergence_check = divergence::need_rewind;
    auto t = f.run();
    BOOST_TEST(t.reason == "reinitializing due to diverged timelines");
}

// ---- data directory, identity, bootstrap ----------------------------------------

BOOST_AUTO_TEST_CASE(empty_data_dir_races_for_bootstrap)
{
    fixture f;
    f.cl.initialize.reset();
    f.pg.data_dir_empty = true;
    f.pg.running = false;
    f.st.role = node_role::uninitialized;
    auto t = f.run();
    BOOST_TEST(t.reason == "trying to bootstrap a new cluster");
    BOOST_TEST(joined(core(t)) == "write_initialize,begin_background,pg_bootstrap");
    BOOST_TEST(find<write_initialize>(t)->value == "");
    BOOST_TEST(t.next.bootstrapping);
    f.in.feedback = action_feedback{"write_initialize", outcome::lost_race};
    BOOST_TEST(f.run().reason == "failed to acquire initialize lock");
}

BOOST_AUTO_TEST_CASE(empty_data_dir_clones_from_the_leader)
{
    fixture f;
    f.lock("n2");
    f.pg.data_dir_empty = true;
    f.pg.running = false;
    f.st.role = node_role::uninitialized;
    auto t = f.run();
    BOOST_TEST(t.reason == "trying to bootstrap from leader 'n2'");
    f.cl.members[2].data.tags = {{"clonefrom", "true"}};
    BOOST_TEST(f.run().reason == "trying to bootstrap from replica 'n3'");
}

BOOST_AUTO_TEST_CASE(empty_data_dir_waits_or_bootstraps_without_leader)
{
    fixture f;
    f.pg.data_dir_empty = true;
    f.pg.running = false;
    f.st.role = node_role::uninitialized;
    BOOST_TEST(f.run().reason == "waiting for leader to bootstrap");
    f.cfg.no_leader_methods = {"wal_e"};
    BOOST_TEST(f.run().reason == "waiting for leader to bootstrap");   // not among create_replica_methods
    f.cfg.create_replica_methods = {"wal_e", "basebackup"};
    BOOST_TEST(f.run().reason == "trying to bootstrap (without leader)");
    f.cfg.pause = true;
    BOOST_TEST(f.run().reason == "PAUSE: running with empty data directory");
}

BOOST_AUTO_TEST_CASE(empty_data_dir_on_the_leader_releases)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.pg.data_dir_empty = true;
    auto t = f.run();
    BOOST_TEST(t.reason == "released leader key voluntarily as data dir empty and currently leader");
    BOOST_TEST(index_of(t, "pg_stop") < index_of(t, "release_leader"));
    f.in.facts.data_dir_accessible = false;
    BOOST_TEST(f.run().reason == "released leader key voluntarily as data dir not accessible and currently leader");
    f.lock("n2");
    f.in.facts.data_dir_error = "Permission denied";
    BOOST_TEST(f.run().reason == "data directory is not accessible: Permission denied");
}

BOOST_AUTO_TEST_CASE(post_bootstrap_sequence)
{
    fixture f;
    f.cl.initialize = "";
    f.st.bootstrapping = true;
    f.st.role = node_role::uninitialized;
    f.as_primary();
    f.st.role = node_role::uninitialized;
    auto t = f.run();
    BOOST_TEST(t.reason == "running post_bootstrap");
    f.st = t.next;
    f.in.finished = background_result{"post_bootstrap", true, false};
    auto t2 = f.run();
    BOOST_TEST(t2.reason == "initialized a new cluster");
    BOOST_TEST(joined(core(t2)) == "write_initialize,write_config,acquire_leader,run_callback");
    BOOST_TEST(find<write_initialize>(t2)->value == "7000000000000000001");
    BOOST_TEST(!t2.next.bootstrapping);
}

BOOST_AUTO_TEST_CASE(post_bootstrap_waits_for_recovery_end_and_cancels_on_failure)
{
    fixture f;
    f.cl.initialize = "";
    f.st.bootstrapping = true;
    f.st.role = node_role::uninitialized;
    BOOST_TEST(f.run().reason == "waiting for end of recovery after bootstrap");
    f.pg.running = false;
    auto t = f.run();
    BOOST_TEST(joined(core(t)) == "cancel_initialize,pg_stop,pg_move_data_dir_aside,exit_daemon");
}

BOOST_AUTO_TEST_CASE(identity_checks)
{
    fixture f;
    f.lock("n2");
    f.in.facts.sysid_valid = false;
    BOOST_TEST(f.run().reason ==
               "data dir for the cluster is not empty, but system ID is invalid; consider doing reinitialize");
    f.in.facts.sysid_valid = true;
    f.cl.initialize = "7000000000000000999";
    auto t = f.run();
    BOOST_TEST(find<exit_daemon>(t));
    BOOST_TEST(t.next.exit_requested);
    f.cfg.pause = true;
    f.lock("n1");
    BOOST_TEST(f.run().reason == "PAUSE: released leader key voluntarily due to the system ID mismatch");
}

BOOST_AUTO_TEST_CASE(replica_without_initialize_key_aborts)
{
    fixture f;
    f.cl.initialize.reset();
    f.st.callback_fired = false;
    auto t = f.run();
    BOOST_TEST(find<exit_daemon>(t));
    BOOST_TEST(t.next.leave_postgres_running);
}

// ---- manual failover on the leader -------------------------------------------------

BOOST_AUTO_TEST_CASE(switchover_demotes_the_leader_gracefully)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.cl.failover = failover_rec(9, "n1", "n2", std::nullopt);
    f.peers({peer("n2", 100), peer("n3", 100)});
    auto t = f.run();
    BOOST_TEST(t.reason == "switchover: demoting myself");
    BOOST_TEST(joined(core(t)) == "renew_leader,begin_background,pg_stop,release_leader");
    BOOST_TEST(find<begin_background>(t)->name == "switchover: demote");
    BOOST_TEST(find<pg_stop>(t)->checkpoint);
    BOOST_TEST(!find<clear_failover>(t));
}

BOOST_AUTO_TEST_CASE(manual_failover_to_unhealthy_candidate_cleans_up)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.st.checkpoint_after_promote_done = true;
    f.cl.failover = failover_rec(9, "", "n2", std::nullopt);
    auto p2 = peer("n2", 100);
    p2.reachable = false;
    f.peers({p2, peer("n3", 100)});
    auto t = f.run();
    BOOST_TEST(t.reason == "no action. I am (n1), the leader with the lock");
    BOOST_TEST((find<clear_failover>(t)->version == 9));
}

BOOST_AUTO_TEST_CASE(scheduled_switchover_waits_then_runs)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.st.checkpoint_after_promote_done = true;
    f.in.wall_now = wall_time{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}} + std::chrono::hours(12);
    f.cl.failover = failover_rec(9, "n1", "", "2026-01-01T12:00:30+00:00");
    f.peers({peer("n2", 100), peer("n3", 100)});
    auto t = f.run();
    BOOST_TEST(t.reason == "no action. I am (n1), the leader with the lock");
    BOOST_TEST(!find<clear_failover>(t));
    f.in.wall_now += std::chrono::seconds(31);
    BOOST_TEST(f.run().reason == "switchover: demoting myself");
    f.in.wall_now += std::chrono::seconds(60);   // stale: beyond 1.5 * loop_wait
    auto t3 = f.run();
    BOOST_TEST(find<clear_failover>(t3));
    BOOST_TEST(!find<pg_stop>(t3));
}

// ---- synchronous replication and history on the primary -------------------------------

BOOST_AUTO_TEST_CASE(sync_mode_enables_and_picks_a_standby)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.st.checkpoint_after_promote_done = true;
    f.cfg.synchronous_mode = sync_mode::on;
    auto t = f.run();
    BOOST_TEST(find<write_sync>(t)->value.leader == "n1");
    f.cl.sync = sync_rec(3, "n1", {}, 0);
    f.pg.replication = {repl("n2", "async", 100)};
    auto t2 = f.run();
    const auto* g = find<pg_set_sync_standbys>(t2);
    BOOST_REQUIRE(g);
    BOOST_TEST(g->names.names == (std::vector<std::string>{"n2"}));
    BOOST_TEST(!find<write_sync>(t2));   // not confirmed yet
    f.st = t2.next;
    f.pg.replication[0].sync_state = "sync";
    auto t3 = f.run();
    BOOST_TEST(!find<pg_set_sync_standbys>(t3));
    BOOST_TEST(find<write_sync>(t3)->value.sync_standby == (std::vector<std::string>{"n2"}));
}

BOOST_AUTO_TEST_CASE(sync_standby_gone_is_unpublished_first)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.cfg.synchronous_mode = sync_mode::on;
    f.cl.sync = sync_rec(3, "n1", {"n2"}, 0);
    f.st.sync_guc = pg::sync_names{false, 1, {"n2"}, false};
    auto t = f.run();
    BOOST_TEST(find<write_sync>(t)->value.sync_standby.empty());
    BOOST_TEST(!find<pg_set_sync_standbys>(t));
}

BOOST_AUTO_TEST_CASE(history_is_written_after_promotion)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.pg.timeline = 2;
    f.in.facts.timeline_history = {history_ln(1, 50, "no recovery target specified", "2026-01-01T00:00:00+00:00")};
    auto t = f.run();
    const auto* h = find<write_history>(t);
    BOOST_REQUIRE(h);
    BOOST_TEST(*h->lines.back().new_leader == "n1");
}

BOOST_AUTO_TEST_CASE(member_key_content)
{
    fixture f;
    f.lock("n2");
    f.cfg.tags.nofailover = false;
    f.cfg.tags.failover_priority = 0;
    f.cfg.pause = true;
    auto t = f.run();
    const auto* m = find<publish_member>(t);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->data.state == "running");
    BOOST_TEST(m->data.role == "replica");
    BOOST_TEST(m->data.pause);
    BOOST_TEST(m->data.xlog_location->value == 100u);
    BOOST_TEST(m->data.tags.size() == 2u);
    BOOST_TEST(m->data.tags[0].first == "nofailover");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ha_decide_requests)

BOOST_AUTO_TEST_CASE(reinitialize_request)
{
    fixture f;
    f.in.requests.reinitialize = local_requests::reinitialize_request{false, true};
    f.peers({});
    BOOST_TEST(f.run().reason == "Cluster has no leader, can not reinitialize");
    f.lock("n1");
    BOOST_TEST(f.run().reason == "I am the leader, can not reinitialize");
    f.lock("n2");
    auto t = f.run();
    BOOST_TEST(t.reason == "reinitialize started");
    BOOST_TEST(*find<pg_reinitialize>(t)->source->member == "n2");
    f.in.background = background_task{"restart", f.t0, false};
    BOOST_TEST(f.run().reason == "restart already in progress");
    f.in.requests.reinitialize->force = true;
    auto t2 = f.run();
    BOOST_TEST(index_of(t2, "cancel_background") < index_of(t2, "begin_background"));
}

BOOST_AUTO_TEST_CASE(restart_request_filters)
{
    fixture f;
    f.lock("n2");
    f.in.requests.restart = local_requests::restart_request{std::nullopt, std::string("primary"), std::nullopt, false};
    BOOST_TEST(f.run().reason == "restart conditions are not satisfied");
    f.in.requests.restart->role = "replica";
    auto t = f.run();
    BOOST_TEST(t.reason == "restart initiated");
    BOOST_TEST(joined(core(t)) == "pg_sync_slots,begin_background,pg_stop,pg_start");
    BOOST_TEST(t.next.recovering);
    f.in.requests.restart->restart_pending_only = true;
    BOOST_TEST(f.run().reason == "restart conditions are not satisfied");
}

BOOST_AUTO_TEST_CASE(scheduled_restart_runs_when_due)
{
    fixture f;
    f.lock("n2");
    f.in.requests.scheduled = local_requests::scheduled_restart{f.in.wall_now + std::chrono::seconds(5), {}, {},
                                                                R"({"schedule":"2030-01-01T10:00:00+00:00"})"};
    auto t = f.run();
    BOOST_TEST(t.reason == "no action. I am (n1), a secondary, and following a leader (n2)");
    const auto* m = find<publish_member>(t);   // published while pending (rest-api.md 8.5)
    BOOST_REQUIRE(m);
    BOOST_TEST(m->data.scheduled_restart.value_or("") == R"({"schedule":"2030-01-01T10:00:00+00:00"})");
    f.in.wall_now += std::chrono::seconds(6);
    auto t2 = f.run();
    BOOST_TEST(t2.reason == "restart initiated");
    BOOST_TEST(find<clear_scheduled_restart>(t2));
    f.cfg.pause = true;
    BOOST_TEST(f.run().reason == "PAUSE: no action. I am (n1), a secondary, and following a leader (n2)");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ha_decide_standby_cluster)

namespace {
void make_standby(fixture& f)
{
    f.cfg.standby_cluster = standby_cluster_config{"10.0.0.1", "5432", {}, {}, {}, {}, {}};
}
} // namespace

BOOST_AUTO_TEST_CASE(race_winner_becomes_standby_leader)
{
    fixture f;
    make_standby(f);
    f.peers({});
    auto t = f.run();
    BOOST_TEST(t.reason == "promoted self to a standby leader by acquiring session lock");
    BOOST_TEST(!find<pg_promote>(t));
    BOOST_TEST((t.next.role == node_role::standby_leader));
}

BOOST_AUTO_TEST_CASE(standby_lock_holder_running_as_primary_demotes)
{
    fixture f;
    make_standby(f);
    f.as_primary();
    f.lock("n1");
    auto t = f.run();
    BOOST_TEST(t.reason == "cannot be a real primary in standby cluster");
}

BOOST_AUTO_TEST_CASE(standby_leader_without_member_key_keeps_following)
{
    fixture f;
    make_standby(f);
    f.lock("n9");
    auto t = f.run();
    BOOST_TEST(t.reason == "continue following the old known standby leader");
}

BOOST_AUTO_TEST_CASE(standby_cluster_restarts)
{
    fixture f;
    make_standby(f);
    f.pg.running = false;
    f.pg.controldata_state = "shut down in recovery";
    BOOST_TEST(f.run().reason == "trying to follow a remote member because standby cluster is unhealthy");
    f.lock("n1");
    auto t = f.run();
    BOOST_TEST(t.reason == "starting as a standby leader because i had the session lock");
    BOOST_TEST((find<pg_start>(t)->role == pg::start_role::standby_leader));
}

BOOST_AUTO_TEST_CASE(standby_cluster_bootstrap)
{
    fixture f;
    make_standby(f);
    f.cl.initialize.reset();
    f.pg.data_dir_empty = true;
    f.pg.running = false;
    f.st.role = node_role::uninitialized;
    auto t = f.run();
    BOOST_TEST(t.reason == "trying to bootstrap a new standby leader");
    f.cl.initialize = "";
    BOOST_TEST(f.run().reason == "waiting for standby_leader to bootstrap");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ha_decide_shutdown)

BOOST_AUTO_TEST_CASE(shutdown_stops_then_releases)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.st.watchdog_active = true;
    f.in.requests.shutdown = true;
    auto t = f.run();
    BOOST_TEST(t.reason == "shutting down");
    BOOST_TEST(joined(names(t)) == "pg_stop,release_leader,publish_member");
    BOOST_TEST(find<pg_stop>(t)->disable_watchdog_at_safe_point);
    BOOST_TEST(find<publish_member>(t)->data.state == "stopped");
}

BOOST_AUTO_TEST_CASE(paused_shutdown_leaves_postgres_and_lock)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.cfg.pause = true;
    f.in.requests.shutdown = true;
    auto t = f.run();
    BOOST_TEST(t.reason == "PAUSE: shutting down, PostgreSQL left running");
    BOOST_TEST(!find<pg_stop>(t));
    BOOST_TEST(!find<release_leader>(t));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ha_decide_quorum)

BOOST_AUTO_TEST_CASE(quorum_primary_lists_standbys_before_publishing_them)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.st.checkpoint_after_promote_done = true;
    f.cfg.synchronous_mode = sync_mode::quorum;
    f.cl.sync = sync_rec(5, "n1", {}, 0);
    f.pg.replication = {repl("n2", "quorum", 100),
                        repl("n3", "quorum", 100)};
    auto t = f.run();
    const auto* g = find<pg_set_sync_standbys>(t);
    BOOST_REQUIRE(g);
    BOOST_TEST(g->names.quorum);
    BOOST_TEST(g->names.count == 1);
    BOOST_TEST(g->names.names == (std::vector<std::string>{"n2", "n3"}));
    // /sync may only name standbys already listed in the GUC
    if (find<write_sync>(t)) BOOST_TEST(index_of(t, "pg_set_sync_standbys") < index_of(t, "write_sync"));
    // next cycle, with the GUC in place: publish the voters with quorum 1
    f.st = t.next;
    auto t2 = f.run();
    const auto* w2 = find<write_sync>(t2);
    BOOST_REQUIRE(w2);
    BOOST_TEST(w2->value.sync_standby == (std::vector<std::string>{"n2", "n3"}));
    BOOST_TEST(w2->value.quorum == 1);
    BOOST_TEST(w2->version == 5);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ha_decide_misc)

BOOST_AUTO_TEST_CASE(sync_standby_is_released_before_shutdown)
{
    fixture f;
    f.lock("n2");
    f.cfg.synchronous_mode = sync_mode::on;
    f.cl.sync = sync_rec(3, "n2", {"n1"}, 0);
    f.in.requests.shutdown = true;
    auto t = f.run();
    BOOST_TEST(t.reason == "Waiting for primary to release us from synchronous standby");
    BOOST_TEST(!find<pg_stop>(t));
    const auto* m = find<publish_member>(t);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->data.tags.size() == 2u);   // nosync: true, sync_priority: 0
    // released (or 2 * loop_wait later): stop
    f.st = t.next;
    f.cl.sync->sync_standby.clear();
    BOOST_TEST(f.run().reason == "shutting down");
    f.cl.sync->sync_standby = {"n1"};
    f.in.now += std::chrono::seconds(20);
    BOOST_TEST(f.run().reason == "shutting down");
}

BOOST_AUTO_TEST_CASE(post_promote_checkpoint_is_last_and_retried)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    auto t = f.run();
    BOOST_TEST(names(t).back() == "pg_checkpoint");
    BOOST_TEST(t.next.checkpoint_after_promote_done);
    f.st = t.next;
    f.in.feedback = action_feedback{"pg_checkpoint", outcome::failed};
    BOOST_TEST(names(f.run()).back() == "pg_checkpoint");
    f.in.feedback.reset();
    BOOST_TEST(!find<pg_checkpoint>(f.run()));
}

BOOST_AUTO_TEST_CASE(probe_failure_reports_postgres_error)
{
    fixture f;
    f.lock("n2");
    f.in.cluster = f.cl;
    f.in.local = probe_failed{error_code{}};
    f.in.config = &f.cfg;
    auto t = decide(f.st, f.in);
    BOOST_TEST(t.reason == "Error communicating with PostgreSQL. Will try again later");
}

BOOST_AUTO_TEST_CASE(unpausing_resets_the_rewind_state)
{
    fixture f;
    f.lock("n2");
    f.st.was_paused = true;
    f.st.rewind = rewind_state::failed;
    auto t = f.run();
    BOOST_TEST((t.next.rewind == rewind_state::initial));
    BOOST_TEST(!t.next.was_paused);
}

BOOST_AUTO_TEST_CASE(pause_disables_the_watchdog)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.cfg.pause = true;
    f.st.watchdog_active = true;
    auto t = f.run();
    BOOST_TEST(names(t).front() == "watchdog_disable");
    BOOST_TEST(!t.next.watchdog_active);
    BOOST_TEST(t.reason == "PAUSE: no action. I am (n1), the leader with the lock");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ha_decide_status)

BOOST_AUTO_TEST_CASE(leader_publishes_slot_positions_and_retained_slots)
{
    fixture f;
    f.as_primary();
    f.lock("n1");
    f.st.checkpoint_after_promote_done = true;
    f.pg.write_lsn = lsn{500};
    pg::slot_info s2, junk;
    s2.name = "n2";
    s2.type = "physical";
    s2.restart_lsn = lsn{400};
    junk.name = "junk";
    junk.type = "physical";
    junk.restart_lsn = lsn{1};
    f.pg.slots = {s2, junk};
    f.st.retained_slots = {{"gone", f.t0 - std::chrono::seconds(60)}, {"old", f.t0 - std::chrono::hours(1)}};
    auto t = f.run();
    const auto* r = find<renew_leader>(t);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->optime.value == 500u);
    BOOST_REQUIRE(r->slots.size() == 2u);
    BOOST_TEST(r->slots[0].first == "n1");   // own slot -> current WAL position
    BOOST_TEST(r->slots[0].second.value == 500u);
    BOOST_TEST(r->slots[1].first == "n2");
    BOOST_TEST(r->retain_slots == (std::vector<std::string>{"gone", "n2", "n3"}));   // "old" expired
}

BOOST_AUTO_TEST_SUITE_END()
