// Goal: slot reconciliation (ha-loop.md 14.2) drops exactly the unwanted,
// lost or changed slots, never ignored ones or anything while paused, and
// creates the missing ones. Also checks shell-style command splitting used
// for callbacks and custom methods.
// Method: plan_slot_changes() and split_command() on small tables.
#include <pgwarden/pg/process.hpp>
#include <pgwarden/pg/slots.hpp>

#include <boost/test/unit_test.hpp>

using namespace pgwarden::pg;

namespace {
slot_info slot(std::string name, std::string type, std::string wal = "reserved")
{
    slot_info s;
    s.name = std::move(name);
    s.type = std::move(type);
    s.wal_status = std::move(wal);
    return s;
}
} // namespace

BOOST_AUTO_TEST_SUITE(pg_slots)

BOOST_AUTO_TEST_CASE(plans_drops_and_creates)
{
    auto logical = slot("cdc", "logical");
    logical.plugin = "pgoutput";
    logical.database = "app";
    auto changed = slot("old_cdc", "logical");
    changed.plugin = "test_decoding";
    changed.database = "app";
    std::vector<slot_info> present{slot("node2", "physical"), slot("gone", "physical"),
                                   slot("lost1", "physical", "lost"), logical, changed, slot("keepme", "physical")};
    slot_plan plan;
    plan.physical = {"node2", "lost1", "node3"};
    plan.logical = {{"cdc", "pgoutput", "app"}, {"old_cdc", "pgoutput", "app"}};
    plan.ignore = {{std::string("keepme"), std::nullopt, std::nullopt, std::nullopt}};
    auto c = plan_slot_changes(present, plan);
    BOOST_TEST((c.drop == std::vector<std::string>{"gone", "lost1", "old_cdc"}));
    BOOST_TEST((c.create_physical == std::vector<std::string>{"lost1", "node3"}));
    BOOST_REQUIRE(c.create_logical.size() == 1u);
    BOOST_TEST(c.create_logical[0].name == "old_cdc");

    plan.paused = true;
    auto p = plan_slot_changes(present, plan);
    BOOST_TEST(p.drop.empty());
    BOOST_TEST((p.create_physical == std::vector<std::string>{"node3"}));
}

BOOST_AUTO_TEST_CASE(ignore_filters_match_subsets)
{
    auto s = slot("x", "logical");
    s.database = "db";
    s.plugin = "wal2json";
    BOOST_TEST(is_ignored_slot(s, {{std::nullopt, std::string("logical"), std::string("db"), std::nullopt}}));
    BOOST_TEST(!is_ignored_slot(s, {{std::nullopt, std::nullopt, std::string("other"), std::nullopt}}));
    BOOST_TEST(!is_ignored_slot(s, {}));
}

BOOST_AUTO_TEST_CASE(splits_commands_shell_style)
{
    BOOST_TEST((split_command("/bin/sh -c 'echo \"$@\" >> f' cb") ==
                std::vector<std::string>{"/bin/sh", "-c", "echo \"$@\" >> f", "cb"}));
    BOOST_TEST((split_command("a \"b c\" d\\ e ''") == std::vector<std::string>{"a", "b c", "d e", ""}));
    BOOST_TEST(split_command("   ").empty());
}

BOOST_AUTO_TEST_SUITE_END()

// ---- replicas: permanent logical slots (ha-loop.md 14.2 steps 6-7) ------

namespace {
slot_info logical_slot_info(std::string name, std::string plugin, std::string db, std::uint64_t confirmed,
                            std::optional<std::uint64_t> catalog_xmin = std::nullopt)
{
    auto s = slot(std::move(name), "logical");
    s.plugin = std::move(plugin);
    s.database = std::move(db);
    s.confirmed_flush_lsn = pgwarden::lsn{confirmed};
    s.catalog_xmin = catalog_xmin;
    return s;
}
} // namespace

BOOST_AUTO_TEST_SUITE(pg_replica_logical_slots)

BOOST_AUTO_TEST_CASE(advances_to_min_of_target_and_replay_and_copies_missing)
{
    std::vector<slot_info> present{logical_slot_info("behind", "pgoutput", "app", 100),
                                   logical_slot_info("ahead", "pgoutput", "app", 900),
                                   logical_slot_info("other_plugin", "test_decoding", "app", 10),
                                   logical_slot_info("no_target", "pgoutput", "app", 10)};
    slot_plan plan;
    plan.logical = {{"behind", "pgoutput", "app"},   {"ahead", "pgoutput", "app"},
                    {"other_plugin", "pgoutput", "app"}, {"no_target", "pgoutput", "app"},
                    {"missing", "pgoutput", "app"},  {"missing_no_target", "pgoutput", "app"}};
    plan.targets = {{"behind", pgwarden::lsn{800}}, {"ahead", pgwarden::lsn{800}},
                    {"other_plugin", pgwarden::lsn{800}}, {"missing", pgwarden::lsn{50}}};
    auto p = plan_replica_logical_slots(present, plan, pgwarden::lsn{500});
    BOOST_REQUIRE(p.advance.size() == 1u);
    BOOST_TEST(p.advance[0].name == "behind");
    BOOST_TEST(p.advance[0].database == "app");
    BOOST_TEST(p.advance[0].target.value == 500u);   // replay bounds the target
    BOOST_TEST((p.copy == std::vector<std::string>{"missing"}));

    // With replay past the target the target wins; an up-to-date slot is left alone.
    auto q = plan_replica_logical_slots(present, plan, pgwarden::lsn{5000});
    BOOST_REQUIRE(q.advance.size() == 1u);
    BOOST_TEST(q.advance[0].target.value == 800u);
}

BOOST_AUTO_TEST_CASE(readiness_follows_catalog_xmin_order)
{
    std::vector<slot_info> present{logical_slot_info("a", "pgoutput", "app", 1, 700),
                                   logical_slot_info("b", "pgoutput", "app", 1, 500),
                                   logical_slot_info("c", "pgoutput", "app", 1, std::nullopt)};
    logical_readiness_queue q{{"a", 600}, {"b", 600}, {"c", std::nullopt}, {"vanished", std::nullopt}};

    // Physical slot has no catalog_xmin yet: only the vanished slot leaves (silently).
    auto none = ready_logical_slots(q, present, std::nullopt);
    BOOST_TEST(none.empty());
    BOOST_TEST(q.size() == 3u);

    // 600 <= 650 <= 700: a is ready; b's local catalog_xmin (500) is older; c is unknown on the primary.
    auto ready = ready_logical_slots(q, present, 650);
    BOOST_TEST((ready == std::vector<std::string>{"a"}));
    BOOST_TEST(q.size() == 2u);
    BOOST_TEST(q.contains("b"));
    BOOST_TEST(q.contains("c"));

    // Physical catalog_xmin older than the primary logical slot's: not ready.
    q["b"] = 600;
    BOOST_TEST(ready_logical_slots(q, present, 550).empty());
}

BOOST_AUTO_TEST_CASE(decodes_bytea_hex)
{
    BOOST_TEST(decode_bytea_hex("\\x").value() == "");
    BOOST_TEST(decode_bytea_hex("\\x00ff41").value() == std::string("\0\xff" "A", 3));
    BOOST_TEST(!decode_bytea_hex("00ff").has_value());
    BOOST_TEST(!decode_bytea_hex("\\x0").has_value());
    BOOST_TEST(!decode_bytea_hex("\\xzz").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
