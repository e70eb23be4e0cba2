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
