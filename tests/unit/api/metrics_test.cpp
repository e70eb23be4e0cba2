// Goal: GET /metrics prints Patroni's Prometheus text byte for byte
// (rest-api.md 6.7): metric order, HELP/TYPE lines, the `# Values:` line,
// labels, Python number formatting and the conditional streaming metrics.
// Method: render fixed views and compare whole texts or single samples.
#include "unit/api/view_fixture.hpp"

#include <pgwarden/api/metrics.hpp>

#include <boost/test/unit_test.hpp>

using namespace pgwarden;
using namespace pgwarden::api;

BOOST_AUTO_TEST_SUITE(api_metrics)

BOOST_AUTO_TEST_CASE(primary_text_is_exact)
{
    auto v = test::primary_view();
    v.cluster->failsafe = dcs::failsafe_record{1, {{"patroni1", "http://10.89.0.5:8008/patroni"}}};
    v.failsafe_mode = true;
    const std::string l = R"({scope="demo",name="patroni1"})";
    const std::string expected =
        "# HELP patroni_version Patroni semver without periods.\n"
        "# TYPE patroni_version gauge\n"
        "patroni_version" + l + " 040104\n"
        "# HELP patroni_postgres_running Value is 1 if Postgres is running, 0 otherwise.\n"
        "# TYPE patroni_postgres_running gauge\n"
        "patroni_postgres_running" + l + " 1\n"
        "# HELP patroni_postmaster_start_time Epoch seconds since Postgres started.\n"
        "# TYPE patroni_postmaster_start_time gauge\n"
        "patroni_postmaster_start_time" + l + " 1724873966.352526\n"
        "# HELP patroni_primary Value is 1 if this node is the leader, 0 otherwise.\n"
        "# TYPE patroni_primary gauge\n"
        "patroni_primary" + l + " 1\n"
        "# HELP patroni_xlog_location Current location of the Postgres transaction log, 0 if this node is not the leader.\n"
        "# TYPE patroni_xlog_location counter\n"
        "patroni_xlog_location" + l + " 67395656\n"
        "# HELP patroni_standby_leader Value is 1 if this node is the standby_leader, 0 otherwise.\n"
        "# TYPE patroni_standby_leader gauge\n"
        "patroni_standby_leader" + l + " 0\n"
        "# HELP patroni_replica Value is 1 if this node is a replica, 0 otherwise.\n"
        "# TYPE patroni_replica gauge\n"
        "patroni_replica" + l + " 0\n"
        "# HELP patroni_sync_standby Value is 1 if this node is a sync standby, 0 otherwise.\n"
        "# TYPE patroni_sync_standby gauge\n"
        "patroni_sync_standby" + l + " 0\n"
        "# HELP patroni_quorum_standby Value is 1 if this node is a quorum standby, 0 otherwise.\n"
        "# TYPE patroni_quorum_standby gauge\n"
        "patroni_quorum_standby" + l + " 0\n"
        "# HELP patroni_xlog_received_location Current location of the received Postgres transaction log, 0 if this node is not a replica.\n"
        "# TYPE patroni_xlog_received_location counter\n"
        "patroni_xlog_received_location" + l + " 0\n"
        "# HELP patroni_xlog_replayed_location Current location of the replayed Postgres transaction log, 0 if this node is not a replica.\n"
        "# TYPE patroni_xlog_replayed_location counter\n"
        "patroni_xlog_replayed_location" + l + " 0\n"
        "# HELP patroni_xlog_replayed_timestamp Current timestamp of the replayed Postgres transaction log, 0 if null.\n"
        "# TYPE patroni_xlog_replayed_timestamp gauge\n"
        "patroni_xlog_replayed_timestamp" + l + " 0\n"
        "# HELP patroni_xlog_paused Value is 1 if the Postgres xlog is paused, 0 otherwise.\n"
        "# TYPE patroni_xlog_paused gauge\n"
        "patroni_xlog_paused" + l + " 0\n"
        "# HELP patroni_postgres_streaming Value is 1 if Postgres is streaming, 0 otherwise.\n"
        "# TYPE patroni_postgres_streaming gauge\n"
        "patroni_postgres_streaming" + l + " 0\n"
        "# HELP patroni_postgres_in_archive_recovery Value is 1 if Postgres is replicating from archive, 0 otherwise.\n"
        "# TYPE patroni_postgres_in_archive_recovery gauge\n"
        "patroni_postgres_in_archive_recovery" + l + " 0\n"
        "# HELP patroni_postgres_server_version Version of Postgres (if running), 0 otherwise.\n"
        "# TYPE patroni_postgres_server_version gauge\n"
        "patroni_postgres_server_version" + l + " 160004\n"
        "# HELP patroni_cluster_unlocked Value is 1 if the cluster is unlocked, 0 if locked.\n"
        "# TYPE patroni_cluster_unlocked gauge\n"
        "patroni_cluster_unlocked" + l + " 0\n"
        "# HELP patroni_failsafe_mode_is_active Value is 1 if failsafe mode is active, 0 if inactive.\n"
        "# TYPE patroni_failsafe_mode_is_active gauge\n"
        "patroni_failsafe_mode_is_active" + l + " 0\n"
        "# HELP patroni_failsafe_mode_enabled Value is 1 if failsafe_mode is enabled, 0 otherwise.\n"
        "# TYPE patroni_failsafe_mode_enabled gauge\n"
        "patroni_failsafe_mode_enabled" + l + " 1\n"
        "# HELP patroni_failsafe_member Value is 1 if this node is a member of failsafe, 0 otherwise.\n"
        "# TYPE patroni_failsafe_member gauge\n"
        "patroni_failsafe_member" + l + " 1\n"
        "# HELP patroni_postgres_timeline Postgres timeline of this node (if running), 0 otherwise.\n"
        "# TYPE patroni_postgres_timeline gauge\n"
        "patroni_postgres_timeline" + l + " 1\n"
        "# HELP patroni_dcs_last_seen Epoch timestamp when DCS was last contacted successfully by Patroni.\n"
        "# TYPE patroni_dcs_last_seen gauge\n"
        "patroni_dcs_last_seen" + l + " 1692356718\n"
        "# HELP patroni_pending_restart Value is 1 if the node needs a restart, 0 otherwise.\n"
        "# TYPE patroni_pending_restart gauge\n"
        "patroni_pending_restart" + l + " 0\n"
        "# HELP patroni_is_paused Value is 1 if auto failover is disabled, 0 otherwise.\n"
        "# TYPE patroni_is_paused gauge\n"
        "patroni_is_paused" + l + " 0\n"
        "# HELP patroni_postgres_state Numeric representation of Postgres state.\n"
        "# Values: 0=initdb, 1=initdb_failed, 2=custom_bootstrap, 3=custom_bootstrap_failed, 4=creating_replica, "
        "5=running, 6=starting, 7=bootstrap_starting, 8=start_failed, 9=restarting, 10=restart_failed, "
        "11=stopping, 12=stopped, 13=stop_failed, 14=crashed\n"
        "# TYPE patroni_postgres_state gauge\n"
        "patroni_postgres_state" + l + " 5\n"
        "# HELP patroni_failover_priority Failover priority of this node.\n"
        "# TYPE patroni_failover_priority gauge\n"
        "patroni_failover_priority" + l + " 1\n";
    BOOST_TEST(render_metrics(v, true) == expected);
}

BOOST_AUTO_TEST_CASE(replica_samples)
{
    auto v = test::replica_view();
    v.synchronous_mode = sync_mode::on;
    v.pg.replay_paused = true;
    v.pg.postmaster_start_time = pg_timestamp{1724873966000000LL, 0};
    v.failover_priority = 0;
    v.pending_restart_reasons = {{"shared_buffers", "128MB", "256MB"}};
    const auto text = render_metrics(v, true);
    const std::string l = R"({scope="demo",name="patroni2"})";
    for (const std::string& line : {"patroni_replica" + l + " 1\n", "patroni_primary" + l + " 0\n",
                                   "patroni_sync_standby" + l + " 1\n",
                                   "patroni_postmaster_start_time" + l + " 1724873966.0\n",
                                   "patroni_xlog_received_location" + l + " 67395656\n",
                                   "patroni_xlog_replayed_location" + l + " 67395000\n",
                                   "patroni_xlog_replayed_timestamp" + l + " 1724873970.0\n",
                                   "patroni_xlog_paused" + l + " 1\n", "patroni_xlog_location" + l + " 0\n",
                                   "patroni_postgres_streaming" + l + " 1\n",
                                   "patroni_pending_restart" + l + " 1\n",
                                   "patroni_failover_priority" + l + " 0\n"})
        BOOST_TEST(text.find(line) != std::string::npos, line);
    // An expired DCS view: unlocked, and no longer a sync standby.
    const auto late = render_metrics(v, false);
    BOOST_TEST(late.find("patroni_cluster_unlocked" + l + " 1\n") != std::string::npos);
    BOOST_TEST(late.find("patroni_sync_standby" + l + " 0\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(postgres_down_omits_streaming_metrics)
{
    auto v = test::replica_view();
    v.pg = pg_status{};
    v.pg.state = "unknown";
    v.pg.role = "replica";
    const auto text = render_metrics(v, true);
    const std::string l = R"({scope="demo",name="patroni2"})";
    BOOST_TEST(text.find("patroni_postgres_streaming") == std::string::npos);
    BOOST_TEST(text.find("patroni_postgres_server_version" + l + " 0\n") != std::string::npos);
    BOOST_TEST(text.find("patroni_postgres_state" + l + " -1\n") != std::string::npos);
    BOOST_TEST(text.find("patroni_postmaster_start_time" + l + " 0\n") != std::string::npos);
    BOOST_TEST(postgres_state_index("crashed") == 14);
    BOOST_TEST(postgres_state_index("initializing new cluster") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
