// Goal: synchronous_standby_names is written exactly as Patroni 4.1 writes
// it and every value Patroni 3.0.2 or 4.1 may leave behind parses.
// Method: the examples of ha-loop.md 13.2 and Patroni's own doctests, as
// table rows; round-trips format -> parse for priority and quorum modes.
#include <pgwarden/pg/error.hpp>
#include <pgwarden/pg/sync_standby_names.hpp>

#include <boost/test/unit_test.hpp>

using namespace pgwarden::pg;

namespace {
sync_names names(std::vector<std::string> n, int count = 0, bool quorum = false)
{
    sync_names s;
    s.names = std::move(n);
    s.count = count;
    s.quorum = quorum;
    return s;
}
} // namespace

BOOST_AUTO_TEST_SUITE(pg_sync_standby_names)

BOOST_AUTO_TEST_CASE(quotes_only_names_that_need_it)
{
    BOOST_TEST(quote_standby_name("node2") == "node2");
    BOOST_TEST(quote_standby_name("node-2") == "\"node-2\"");
    BOOST_TEST(quote_standby_name("First") == "\"First\"");
    BOOST_TEST(quote_standby_name("ANY") == "\"ANY\"");
    BOOST_TEST(quote_standby_name("a\"b") == "\"a\"\"b\"");
    BOOST_TEST(quote_standby_name("_x$1") == "_x$1");
    BOOST_TEST(quote_standby_name("1abc") == "\"1abc\"");
}

BOOST_AUTO_TEST_CASE(formats_priority_and_quorum_forms)
{
    BOOST_TEST(format_sync_standby_names(names({"node2"}), 150000) == "node2");
    BOOST_TEST(format_sync_standby_names(names({"node3", "node2"}), 150000) == "2 (node2,node3)");
    BOOST_TEST(format_sync_standby_names(names({"node3", "node2"}, 1), 150000) == "1 (node2,node3)");
    BOOST_TEST(format_sync_standby_names(names({"node2", "node3"}, 1, true), 150000) == "ANY 1 (node2,node3)");
    BOOST_TEST(format_sync_standby_names(names({"node2"}, 1, true), 150000) == "ANY 1 (node2)");
    BOOST_TEST(format_sync_standby_names(names({"node-2"}), 150000) == "\"node-2\"");
    BOOST_TEST(format_sync_standby_names(names({}), 150000) == "");
    // ANY needs PostgreSQL 10; several names need 9.6.
    BOOST_TEST(format_sync_standby_names(names({"a", "b"}, 1, true), 90600) == "1 (a,b)");
    BOOST_TEST(format_sync_standby_names(names({"b", "a"}), 90500) == "a");
}

BOOST_AUTO_TEST_CASE(strict_placeholder_replaces_empty_set_and_star)
{
    BOOST_TEST(format_sync_standby_names(names({}, 1), 150000) == std::string(strict_sync_placeholder));
    BOOST_TEST(format_sync_standby_names(names({}, 1, true), 150000) ==
               "ANY 1 (__patroni_strict_sync_replica_placeholder__)");
    BOOST_TEST(format_sync_standby_names(names({"*", "x"}, 0), 150000) == std::string(strict_sync_placeholder));
    sync_names s;
    s.strict_placeholder = true;
    BOOST_TEST(format_sync_standby_names(s, 150000) == std::string(strict_sync_placeholder));
}

BOOST_AUTO_TEST_CASE(parses_patroni_doctests)
{
    auto off = parse_sync_standby_names("");
    BOOST_REQUIRE(off);
    BOOST_TEST((off->type == parsed_sync_standby_names::kind::off));

    auto first = parse_sync_standby_names("FiRsT");
    BOOST_REQUIRE(first);
    BOOST_TEST((first->type == parsed_sync_standby_names::kind::priority));
    BOOST_TEST(first->members == std::vector<std::string>{"FiRsT"});

    auto quoted = parse_sync_standby_names("\"1\"");
    BOOST_REQUIRE(quoted);
    BOOST_TEST(quoted->members == std::vector<std::string>{"1"});

    auto plain = parse_sync_standby_names(" a , b ");
    BOOST_REQUIRE(plain);
    BOOST_TEST(plain->num == 1);
    BOOST_TEST((plain->members == std::vector<std::string>{"a", "b"}));

    auto star = parse_sync_standby_names("ANY 4(\"a\",*,b)");
    BOOST_REQUIRE(star);
    BOOST_TEST(star->has_star);
    BOOST_TEST(star->num == 4);
    BOOST_TEST((star->type == parsed_sync_standby_names::kind::quorum));

    auto ph = parse_sync_standby_names("ANY 1(__patroni_strict_sync_replica_placeholder__)");
    BOOST_REQUIRE(ph);
    BOOST_TEST(ph->members.empty());

    for (const char* bad : {"1", "a,", "ANY 4(\"a\" b,\"c c\")", "FIRST 4(\"a\",)", "2 (,)", "a;b", "\"open"})
        BOOST_TEST(!parse_sync_standby_names(bad), bad);
    BOOST_TEST((parse_sync_standby_names("1").error() == pgwarden::condition::invalid_response));
}

BOOST_AUTO_TEST_CASE(reads_patroni_3_0_2_values)
{
    // 3.0.2 quoted every name and used `*` in strict mode.
    auto v = parse_sync_standby_names("2 (\"node1\",\"node2\")");
    BOOST_REQUIRE(v);
    BOOST_TEST(v->num == 2);
    BOOST_TEST((v->members == std::vector<std::string>{"node1", "node2"}));
    auto star = parse_sync_standby_names("*");
    BOOST_REQUIRE(star);
    BOOST_TEST(star->has_star);
}

BOOST_AUTO_TEST_CASE(round_trips)
{
    for (bool quorum : {false, true}) {
        auto text = format_sync_standby_names(names({"n-1", "n2", "any"}, 2, quorum), 150000);
        auto p = parse_sync_standby_names(text);
        BOOST_REQUIRE_MESSAGE(p, text);
        BOOST_TEST(p->num == 2);
        BOOST_TEST((p->type == (quorum ? parsed_sync_standby_names::kind::quorum
                                       : parsed_sync_standby_names::kind::priority)));
        BOOST_TEST((p->members == std::vector<std::string>{"any", "n-1", "n2"}));
    }
}

BOOST_AUTO_TEST_SUITE_END()
