// Goal: pending_restart_reason values read as Patroni shows them: a GUC
// value in its base unit (pg_settings.unit) becomes the largest exact unit,
// values that already carry a unit, text, zero and unknown units stay as
// they are (Patroni utils.maybe_convert_from_base_unit and its doctests).
// Method: maybe_convert_from_base_unit() and make_param_change() on tables
// of (value, vartype, unit) -> expected text.
#include <pgwarden/pg/libpq_controller.hpp>
#include <pgwarden/pg/settings.hpp>

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

using namespace pgwarden::pg;

BOOST_AUTO_TEST_SUITE(pg_settings)

BOOST_AUTO_TEST_CASE(converts_from_base_units_like_patroni)
{
    using row = std::tuple<std::string, std::string, std::optional<std::string>, std::string>;
    const std::vector<row> cases{
        {"5", "integer", "ms", "5ms"},
        {"4.2", "real", "ms", "4200us"},
        {"on", "bool", std::nullopt, "on"},
        {"", "integer", "256MB", ""},
        {"2048", "integer", "8kB", "16MB"},        // shared_buffers from `postgres -C`
        {"3072", "integer", "8kB", "24MB"},
        {"1025", "integer", "kB", "1025kB"},
        {"1024", "integer", "kB", "1MB"},
        {"4", "integer", "256MB", "1GB"},
        {"60", "integer", "s", "1min"},
        {"86400", "integer", "s", "1d"},
        {"90", "integer", "s", "90s"},
        {"-1", "integer", "kB", "-1kB"},
        {"0", "integer", "ms", "0"},               // falsy: kept
        {"16MB", "integer", "8kB", "16MB"},        // current_setting() already has a unit
        {"100", "integer", std::nullopt, "100"},   // no unit
        {"100", "integer", "KB", "100"},           // unknown unit (case sensitive)
        {"replica", "enum", std::nullopt, "replica"},
        {"2.5", "real", "ms", "2500us"},
        {"0.5", "real", "min", "30s"},
    };
    for (const auto& [value, vartype, unit, expected] : cases) {
        BOOST_TEST_CONTEXT(value << " " << vartype << " " << unit.value_or("None"))
        {
            auto u = unit ? std::optional<std::string_view>(*unit) : std::nullopt;
            BOOST_TEST(maybe_convert_from_base_unit(value, vartype, u) == expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(param_change_converts_both_sides)
{
    auto c = make_param_change("16MB", "3072", "integer", std::string_view("8kB"));
    BOOST_TEST(c.old_value == "16MB");
    BOOST_TEST(c.new_value == "24MB");
    auto e = make_param_change("replica", "logical", "enum", std::nullopt);
    BOOST_TEST((e == param_change{"replica", "logical"}));
    auto q = make_param_change("100", "?", "integer", std::nullopt);   // `postgres -C` failed
    BOOST_TEST(q.new_value == "?");
}

BOOST_AUTO_TEST_CASE(legacy_role_text)
{
    BOOST_TEST(std::string(to_string(pg_role::primary, true)) == "master");
    BOOST_TEST(std::string(to_string(pg_role::promoted, true)) == "master");
    BOOST_TEST(std::string(to_string(pg_role::primary, false)) == "primary");
    BOOST_TEST(std::string(to_string(pg_role::replica, true)) == "replica");
    BOOST_TEST(std::string(to_string(pg_role::standby_leader, true)) == "standby_leader");
    // The callbacks' role argument (controller_config::legacy_role_names).
    BOOST_TEST(std::string(role_name(start_role::primary, true)) == "master");
    BOOST_TEST(std::string(role_name(start_role::primary, false)) == "primary");
    BOOST_TEST(std::string(role_name(start_role::replica, true)) == "replica");
    BOOST_TEST(std::string(role_name(start_role::standby_leader, true)) == "standby_leader");
}

BOOST_AUTO_TEST_SUITE_END()
