// Goal: two PostgreSQL 15 nodes driven by libpq_controller go through
// Patroni's replication scenarios: a pg_basebackup replica streaming through
// its member slot, a permanent logical slot copied to the replica, checked
// for readiness (catalog_xmin) and advanced there with hot_standby_feedback
// forced on, synchronous_standby_names, promotion, pg_rewind of a diverged
// old primary (with the CHECKPOINT on the new primary done by rewind()
// itself), and reinitialize.
// Method: real servers in a temp dir on free ports; the steps are asserted
// through probe() (role, timeline, streaming, pg_stat_replication, slots)
// and psql; every wait polls with a deadline.
#include "harness.hpp"

#include <pgwarden/pg/files.hpp>

#include <boost/test/unit_test.hpp>

#include <pwd.h>
#include <sys/stat.h>

using namespace pgwarden;
using namespace pgwarden::test;
using pgwarden::lsn;

namespace {
uid_t pg_uid()
{
    const passwd* pw = ::getpwnam(pg_os_user.c_str());
    return pw ? pw->pw_uid : 0;
}

bool streaming(boost::asio::io_context& io, pg::libpq_controller& c)
{
    auto p = sync_run(io, c.probe());
    return p && p->running && p->in_recovery && p->is_streaming;
}
} // namespace

BOOST_AUTO_TEST_SUITE(pg_replication)

BOOST_AUTO_TEST_CASE(basebackup_sync_promote_rewind_reinitialize)
{
    temp_dir root("pgw-repl", pg_os_user);
    const auto port1 = free_port();
    const auto port2 = free_port();
    auto cfg1 = test_config(root, "node1", port1);
    auto cfg2 = test_config(root, "node-2", port2);
    cfg1.use_pg_rewind = cfg2.use_pg_rewind = true;
    cfg1.parameters["wal_level"] = cfg2.parameters["wal_level"] = "logical";
    boost::asio::io_context io;
    pg::libpq_controller n1(io.get_executor(), cfg1);
    pg::libpq_controller n2(io.get_executor(), cfg2);

    auto b = sync_run(io, n1.bootstrap());
    BOOST_REQUIRE_MESSAGE(b.has_value(), n1.last_error());

    // Member slot for node-2 on the primary (ha-loop.md 14).
    pg::slot_plan plan;
    plan.physical = {pg::slot_name_from_member_name("node-2")};
    auto sl = sync_run(io, n1.sync_slots(plan));
    BOOST_REQUIRE(sl);
    BOOST_TEST((sl->create_physical == std::vector<std::string>{"node_2"}));

    pg::follow_target from1;
    from1.member = "node1";
    from1.conn_url = conn_url(port1);
    auto c = sync_run(io, n2.create_replica(from1));
    BOOST_REQUIRE_MESSAGE(c.has_value(), n2.last_error());
    BOOST_REQUIRE(sync_run(io, n2.start(pg::start_role::replica)));
    BOOST_REQUIRE(wait_until([&] { return streaming(io, n2); }, std::chrono::seconds(30)));
    auto r2 = sync_run(io, n2.probe());
    BOOST_REQUIRE(r2);
    BOOST_TEST((r2->role == pg::pg_role::replica));
    BOOST_TEST(r2->timeline == 1);
    BOOST_TEST(r2->primary_slot_name.value_or("") == "node_2");
    auto r1 = sync_run(io, n1.probe());
    BOOST_REQUIRE(r1);
    BOOST_TEST((r1->system_identifier == r2->system_identifier));
    BOOST_REQUIRE(r1->replication.size() == 1u);
    BOOST_TEST(r1->replication[0].application_name == "node-2");
    BOOST_REQUIRE(r1->slots.size() == 1u);
    BOOST_TEST(r1->slots[0].active);

    // A permanent logical slot (ha-loop.md 14.2): created on the primary...
    pg::slot_plan lplan = plan;
    lplan.logical = {{"cdc", "test_decoding", "postgres"}};
    auto lc = sync_run(io, n1.sync_slots(lplan));
    BOOST_REQUIRE(lc);
    BOOST_REQUIRE(lc->create_logical.size() == 1u);
    BOOST_REQUIRE(psql(port1, "CREATE TABLE cdc_t(x int); INSERT INTO cdc_t VALUES (1)"));
    BOOST_REQUIRE(psql(port1, "SELECT count(*) FROM pg_logical_slot_get_changes('cdc', NULL, NULL)"));
    auto confirmed = [&](pg::libpq_controller& c) -> std::optional<lsn> {
        auto p = sync_run(io, c.probe());
        if (!p) return std::nullopt;
        for (const auto& sl : p->slots)
            if (sl.name == "cdc" && sl.type == "logical") return sl.confirmed_flush_lsn;
        return std::nullopt;
    };
    const auto target1 = confirmed(n1);
    BOOST_REQUIRE(target1);

    // ...copied to the replica from the leader's /status target (stop, write
    // pg_replslot/cdc/state, start), with hot_standby_feedback forced on.
    pg::slot_plan rplan;
    rplan.logical = lplan.logical;
    rplan.targets = {{"cdc", *target1}};
    rplan.primary = from1;
    auto cp = sync_run(io, n2.sync_slots(rplan));
    BOOST_REQUIRE_MESSAGE(cp.has_value(), n2.last_error());
    BOOST_TEST((cp->copy_logical == std::vector<std::string>{"cdc"}));
    BOOST_TEST((cp->copied == std::vector<std::string>{"cdc"}));
    BOOST_TEST(psql(port2, "SHOW hot_standby_feedback").value_or("") == "on");
    const auto st_path = cfg2.data_dir + "/pg_replslot/cdc/state";
    struct stat st {};
    BOOST_REQUIRE(::stat(st_path.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    BOOST_TEST(st.st_uid == pg_uid());
    BOOST_REQUIRE(wait_until([&] { return streaming(io, n2); }, std::chrono::seconds(30)));
    BOOST_TEST(confirmed(n2).has_value());
    BOOST_TEST(n2.unready_logical_slots().contains("cdc"));

    // Readiness: once our physical slot on the primary has a catalog_xmin
    // between the primary logical slot's and ours, the slot is safe.
    BOOST_TEST(wait_until([&] {
        auto r = sync_run(io, n2.sync_slots(rplan));
        return r && n2.unready_logical_slots().empty();
    }, std::chrono::seconds(30)));

    // Advancing: the primary consumes more; the replica moves its copy up to
    // min(target, replay) with pg_replication_slot_advance.
    BOOST_REQUIRE(psql(port1, "INSERT INTO cdc_t SELECT generate_series(1, 100)"));
    BOOST_REQUIRE(psql(port1, "SELECT count(*) FROM pg_logical_slot_get_changes('cdc', NULL, NULL)"));
    const auto target2 = confirmed(n1);
    BOOST_REQUIRE(target2);
    BOOST_REQUIRE(*target2 > *target1);
    BOOST_REQUIRE(wait_until([&] {
        auto p = sync_run(io, n2.probe());
        return p && p->replay_lsn >= *target2;
    }, std::chrono::seconds(30)));
    rplan.targets = {{"cdc", *target2}};
    auto adv = sync_run(io, n2.sync_slots(rplan));
    BOOST_REQUIRE_MESSAGE(adv.has_value(), n2.last_error());
    BOOST_TEST((adv->advanced == std::vector<std::string>{"cdc"}), n2.last_error());
    BOOST_TEST(adv->copied.empty());
    auto c2 = confirmed(n2);
    BOOST_TEST((c2 && *c2 >= *target2));
    auto again = sync_run(io, n2.sync_slots(rplan));   // nothing left to do
    BOOST_REQUIRE(again);
    BOOST_TEST(again->advanced.empty());

    // Synchronous replication (ha-loop.md 13.2): "node-2" must be quoted.
    pg::sync_names sn;
    sn.names = {"node-2"};
    sn.count = 1;
    BOOST_REQUIRE(sync_run(io, n1.set_sync_standbys(sn)));
    BOOST_TEST(wait_until([&] { return psql(port1, "SHOW synchronous_standby_names").value_or("") == "\"node-2\""; },
                          std::chrono::seconds(10)));
    BOOST_TEST(wait_until([&] {
        auto p = sync_run(io, n1.probe());
        return p && p->replication.size() == 1 && p->replication[0].sync_state == "sync";
    }, std::chrono::seconds(10)));
    BOOST_REQUIRE(psql(port1, "CREATE TABLE t(x int); INSERT INTO t VALUES (1)"));
    BOOST_TEST(wait_until([&] { return psql(port2, "SELECT count(*) FROM t").value_or("") == "1"; },
                          std::chrono::seconds(10)));
    BOOST_REQUIRE(sync_run(io, n1.set_sync_standbys({})));

    // Promote node-2 while node1 still runs, then let node1 diverge.
    BOOST_REQUIRE(sync_run(io, n2.promote()));
    auto p2 = sync_run(io, n2.probe());
    BOOST_REQUIRE(p2);
    BOOST_TEST((p2->role == pg::pg_role::primary));
    BOOST_TEST(p2->timeline == 2);
    BOOST_REQUIRE(psql(port1, "INSERT INTO t SELECT generate_series(1, 1000)"));
    BOOST_REQUIRE(psql(port2, "INSERT INTO t VALUES (2)"));
    // No explicit CHECKPOINT on node-2: rewind() makes sure its pg_control
    // has the new timeline (checkpoint_after_promote unknown => CHECKPOINT).

    // Rewind node1 from node-2 and follow it.
    pg::follow_target from2;
    from2.member = "node-2";
    from2.conn_url = conn_url(port2);
    auto rw = sync_run(io, n1.rewind(from2));
    BOOST_REQUIRE_MESSAGE(rw.has_value(), n1.last_error());
    BOOST_TEST(psql(port2, "SELECT timeline_id FROM pg_control_checkpoint()").value_or("") == "2");
    pg::slot_plan node1_slot;
    node1_slot.physical = {"node1"};
    BOOST_REQUIRE(sync_run(io, n2.sync_slots(node1_slot)));
    BOOST_REQUIRE(sync_run(io, n1.start(pg::start_role::replica)));
    BOOST_REQUIRE(wait_until([&] { return streaming(io, n1); }, std::chrono::seconds(30)));
    BOOST_TEST(wait_until([&] { return psql(port1, "SELECT count(*) FROM t").value_or("") == "2"; },
                          std::chrono::seconds(10)));
    auto p1 = sync_run(io, n1.probe());
    BOOST_REQUIRE(p1);
    BOOST_TEST(p1->timeline == 2);

    // Reinitialize node1 from node-2: a fresh clone that streams again.
    auto ri = sync_run(io, n1.reinitialize(from2));
    BOOST_REQUIRE_MESSAGE(ri.has_value(), n1.last_error());
    BOOST_REQUIRE(sync_run(io, n1.start(pg::start_role::replica)));
    BOOST_REQUIRE(wait_until([&] { return streaming(io, n1); }, std::chrono::seconds(30)));

    // Switch roles back: node-2 stops cleanly, node1 promotes, and follow()
    // starts the stopped node-2 as a replica of node1.
    BOOST_REQUIRE(sync_run(io, n2.stop(pg::stop_mode::fast)));
    BOOST_REQUIRE(sync_run(io, n1.promote()));
    pg::follow_target back1 = from1;
    BOOST_REQUIRE(sync_run(io, n2.follow(back1)));
    BOOST_TEST(wait_until([&] {
        auto p = sync_run(io, n2.probe());
        return p && p->running && p->in_recovery;
    }, std::chrono::seconds(30)));

    (void)sync_run(io, n1.stop(pg::stop_mode::immediate));
    (void)sync_run(io, n2.stop(pg::stop_mode::immediate));
}

BOOST_AUTO_TEST_SUITE_END()
