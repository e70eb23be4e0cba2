// Goal: LSN conversion matches PostgreSQL/Patroni in both directions.
// Method: known pairs from dcs.md 2.2 and PostgreSQL's own output, plus
// round-trips and the rejection of malformed text.
#include <pgwarden/core/lsn.hpp>

#include <boost/test/unit_test.hpp>

using pgwarden::lsn;

BOOST_AUTO_TEST_SUITE(core_lsn)

BOOST_AUTO_TEST_CASE(parses_and_prints_known_values)
{
    auto v = lsn::parse("0/3000060");
    BOOST_REQUIRE(v);
    BOOST_TEST(v->value == 50331744u);
    BOOST_TEST(v->to_text() == "0/3000060");
    BOOST_TEST(lsn{0x1A00000000ULL + 0xFF}.to_text() == "1A/FF");
    BOOST_TEST(lsn::parse("ffffffff/ffffffff")->value == ~0ULL);
    BOOST_TEST(lsn{}.to_text() == "0/0");
}

BOOST_AUTO_TEST_CASE(rejects_malformed_text)
{
    for (const char* bad : {"", "/", "0/", "/1", "00000000/", "123456789/0", "x/1", "1-2", "0/3000060 "})
        BOOST_TEST(!lsn::parse(bad), bad);
}

BOOST_AUTO_TEST_CASE(orders_like_integers)
{
    BOOST_TEST((lsn{1} < lsn{2}));
    BOOST_TEST((*lsn::parse("1/0") > *lsn::parse("0/FFFFFFFF")));
}

BOOST_AUTO_TEST_SUITE_END()
