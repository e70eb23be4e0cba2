// Goal: build_snapshot turns the keys of one read of the scope into the
// cluster view of dcs.md 3.1 the same way for every backend.
// Method: feed it the fixture sets through their _index.tsv (versions and
// leases as etcd reported them), then hand-made entry lists for each rule:
// ignored keys, nested member paths, empty leader, legacy optime, sorting,
// lenient parse failures and the config modify version.
#include "fixtures.hpp"

#include <pgwarden/dcs/codec.hpp>

#include <boost/test/unit_test.hpp>

#include <vector>

namespace dcs = pgwarden::dcs;

BOOST_AUTO_TEST_SUITE(dcs_snapshot)

BOOST_AUTO_TEST_CASE(captured_302_cluster)
{
    dcs::codec_warnings w;
    auto entries = pgwarden::test::fixture_entries("patroni-3.0.2");
    BOOST_REQUIRE(entries.size() == 10u);
    auto snap = dcs::build_snapshot(entries, w);
    BOOST_TEST(w.empty());
    BOOST_REQUIRE(snap.leader);
    BOOST_TEST(snap.leader->name == "node2");
    BOOST_TEST(snap.leader->version == 30);
    BOOST_TEST(snap.leader->session == "2954258094717899792");
    BOOST_TEST(!snap.is_unlocked());
    BOOST_REQUIRE(snap.members.size() == 2u);
    BOOST_TEST(snap.members[0].name == "node1");
    BOOST_TEST(snap.members[1].data.role == "primary");
    BOOST_TEST(snap.members[1].session == snap.leader->session);
    BOOST_TEST(snap.timeline() == 2);
    BOOST_REQUIRE(snap.sync);
    BOOST_TEST(snap.sync->version == 44);
    BOOST_TEST((snap.sync->sync_standby == std::vector<std::string>{"node1"}));
    BOOST_REQUIRE(snap.failover);
    BOOST_TEST(snap.failover->member == "node1");
    BOOST_REQUIRE(snap.config);
    BOOST_TEST(snap.config->modify_version == 56);
    BOOST_REQUIRE(snap.failsafe);
    BOOST_TEST(snap.failsafe->members.size() == 2u);
    BOOST_TEST(snap.last_lsn().value == snap.members[1].data.xlog_location->value);
    BOOST_TEST(dcs::is_valid_sysid(*snap.initialize));
}

BOOST_AUTO_TEST_CASE(spec_41_cluster)
{
    dcs::codec_warnings w;
    auto snap = dcs::build_snapshot(pgwarden::test::fixture_entries("patroni-4.1"), w);
    BOOST_TEST(w.empty());
    BOOST_REQUIRE(snap.status);
    BOOST_TEST(snap.status->version == 2209);
    BOOST_TEST(snap.status->retain_slots.size() == 2u);
    BOOST_TEST(snap.leader->name == "node1");
    BOOST_TEST(snap.find_member("node2")->data.replication_state.value() == "streaming");
    BOOST_TEST(!snap.find_member("node3"));
}

BOOST_AUTO_TEST_CASE(key_space_rules)
{
    std::vector<dcs::raw_entry> entries = {
        {"members/zeta", R"({"state":"running"})", 7, "L1", 0},
        {"members/alpha", "not json", 3, "", 0},
        {"members/a/b", R"({"state":"running"})", 4, "", 0},    // nested: ignored
        {"members/", "{}", 4, "", 0},                           // empty name: ignored
        {"leader", "", 9, "L1", 0},                             // empty value: no leader
        {"optime/leader", "1234", 11, "", 0},
        {"0/leader", "x", 12, "", 0},                           // MPP group: not ours
        {"unknown", "x", 12, "", 0},
        {"config", "[]", 13, "", 0},
        {"sync", "garbage", 14, "", 0},
        {"failsafe", "garbage", 15, "", 0},
        {"members/zeta", R"({"state":"stopped"})", 8, "L2", 0},  // read twice: the later wins
    };
    dcs::codec_warnings w;
    auto snap = dcs::build_snapshot(entries, w);
    BOOST_REQUIRE(snap.members.size() == 2u);
    BOOST_TEST(snap.members[0].name == "alpha");
    BOOST_TEST(snap.members[0].data.state == "unknown");
    BOOST_TEST(snap.members[1].name == "zeta");
    BOOST_TEST(snap.members[1].data.state == "stopped");
    BOOST_TEST(snap.members[1].version == 8);
    BOOST_TEST(!snap.leader);
    BOOST_TEST(snap.is_unlocked());
    BOOST_TEST(!snap.initialize);
    BOOST_TEST(snap.legacy_optime->value == 1234u);
    BOOST_TEST(snap.last_lsn().value == 1234u);   // no status: optime/leader
    BOOST_REQUIRE(snap.config);
    BOOST_TEST(snap.config->modify_version == 0);   // not an object: ignored for the global config
    BOOST_REQUIRE(snap.sync);
    BOOST_TEST(snap.sync->empty());
    BOOST_TEST(snap.sync->version == 14);           // kept for CAS
    BOOST_TEST(!snap.failsafe);
    BOOST_TEST(!snap.history);
    BOOST_TEST(snap.timeline() == 0);
    BOOST_TEST(w.size() == 4u);   // alpha, config, sync, failsafe

    entries = {{"status", R"({"optime":99})", 2, "", 0}, {"optime/leader", "1234", 11, "", 0},
               {"config", R"({"ttl":30})", 5, "", 77}, {"initialize", "", 1, "", 0},
               {"history", "[]", 3, "", 0}};
    snap = dcs::build_snapshot(entries, w);
    BOOST_TEST(snap.last_lsn().value == 99u);      // status wins over optime/leader
    BOOST_TEST(snap.config->modify_version == 77);  // ZooKeeper-style mzxid
    BOOST_TEST(snap.config->version == 5);
    BOOST_TEST(snap.initialize.value() == "");      // bootstrap in progress
    BOOST_TEST(snap.timeline() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
