// Goal: generic errors compare equal to the portable conditions callers use.
#include <pgwarden/core/error.hpp>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(core_error)

BOOST_AUTO_TEST_CASE(errors_map_to_conditions)
{
    using namespace pgwarden;
    error_code ec = error::timeout;
    BOOST_TEST((ec == condition::timeout));
    BOOST_TEST(!(ec == condition::unavailable));
    ec = error::cas_conflict;
    BOOST_TEST((ec == condition::cas_conflict));
    BOOST_TEST(ec.message() == "compare-and-set conflict");
}

BOOST_AUTO_TEST_SUITE_END()
