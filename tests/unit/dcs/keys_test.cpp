// Goal: key paths and slot names match Patroni's (dcs.md 1.1, 1.2, 10).
// Method: known input/output pairs, including the slash-collapsing of the
// base path, nested member paths and non-ASCII member names.
#include <pgwarden/dcs/keys.hpp>

#include <boost/test/unit_test.hpp>

namespace dcs = pgwarden::dcs;

BOOST_AUTO_TEST_SUITE(dcs_keys)

BOOST_AUTO_TEST_CASE(base_path_collapses_slashes)
{
    BOOST_TEST(dcs::base_path("service", "demo") == "/service/demo");
    BOOST_TEST(dcs::base_path("/service/", "demo") == "/service/demo");
    BOOST_TEST(dcs::base_path("//a//b//", "c") == "/a/b/c");
    BOOST_TEST(dcs::full_key("/service/demo", dcs::key::leader) == "/service/demo/leader");
    BOOST_TEST(dcs::full_key("/service/demo/", dcs::member_key("node1")) == "/service/demo/members/node1");
}

BOOST_AUTO_TEST_CASE(relative_keys_and_member_names)
{
    BOOST_TEST(dcs::relative_key("/service/demo", "/service/demo/leader").value() == "leader");
    BOOST_TEST(dcs::relative_key("/service/demo/", "/service/demo/members/a").value() == "members/a");
    BOOST_TEST(!dcs::relative_key("/service/demo", "/service/demo2/leader"));
    BOOST_TEST(!dcs::relative_key("/service/demo", "/service/demo/"));
    BOOST_TEST(dcs::member_name_of("members/node1").value() == "node1");
    BOOST_TEST(!dcs::member_name_of("members/a/b"));
    BOOST_TEST(!dcs::member_name_of("members/"));
    BOOST_TEST(!dcs::member_name_of("leader"));
}

BOOST_AUTO_TEST_CASE(slot_names_follow_patroni)
{
    BOOST_TEST(dcs::slot_name_from_member_name("node1") == "node1");
    BOOST_TEST(dcs::slot_name_from_member_name("Node-1.dc") == "node_1_dc");
    BOOST_TEST(dcs::slot_name_from_member_name("a b") == "au0032b");
    BOOST_TEST(dcs::slot_name_from_member_name("a@b") == "au0064b");
    BOOST_TEST(dcs::slot_name_from_member_name("\xC3\x89t\xC3\xA9") == "u0233tu0233");   // Été
    BOOST_TEST(dcs::slot_name_from_member_name("\xE2\x82\xAC") == "u8364");            // €
    BOOST_TEST(dcs::slot_name_from_member_name("\xF0\x9F\x98\x80") == "u128512");      // 😀
    BOOST_TEST(dcs::slot_name_from_member_name(std::string(70, 'x')).size() == 63u);
    BOOST_TEST(dcs::is_valid_slot_name("node_1"));
    BOOST_TEST(!dcs::is_valid_slot_name("Node"));
    BOOST_TEST(!dcs::is_valid_slot_name(""));
    BOOST_TEST(!dcs::is_valid_slot_name(std::string(64, 'a')));
}

BOOST_AUTO_TEST_SUITE_END()
