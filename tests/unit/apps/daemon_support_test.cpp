// Goal: the REST API's view of a cycle (apps/common build_view) carries what
// the probe found, here the GUC changes a restart would apply
// (`pending_restart_reason`, dcs.md 2.2), and the tags as configured.
// Method: build_view on a hand-made cycle report and configuration.
#include "common/daemon_support.hpp"

#include <boost/test/unit_test.hpp>

using namespace pgwarden;

BOOST_AUTO_TEST_SUITE(apps_daemon_support)

BOOST_AUTO_TEST_CASE(view_carries_pending_restart_reasons_and_tags)
{
    config::effective_config cfg;
    cfg.local.scope = "demo";
    cfg.local.name = "n1";
    cfg.local.tags.nofailover_set = true;
    cfg.local.tags.nofailover = true;
    ha::ha_config hc;
    apps::view_context ctx;
    ctx.config = &cfg;
    ctx.ha = &hc;
    ha::cycle_report r;
    r.local.emplace();
    r.local->pending_restart_reason["max_connections"] = pg::param_change{"100", "200"};
    const auto v = apps::build_view(r, ctx);
    BOOST_REQUIRE(v.pending_restart_reasons.size() == 1u);
    BOOST_TEST(v.pending_restart_reasons[0].name == "max_connections");
    BOOST_TEST(v.pending_restart_reasons[0].old_value == "100");
    BOOST_TEST(v.pending_restart_reasons[0].new_value == "200");
    BOOST_TEST(v.name == "n1");
    bool nofailover = false;
    for (const auto& [k, val] : v.tags) nofailover = nofailover || (k == "nofailover" && val == "true");
    BOOST_TEST(nofailover);

    r.local->pending_restart_reason.clear();
    BOOST_TEST(apps::build_view(r, ctx).pending_restart_reasons.empty());
}

BOOST_AUTO_TEST_SUITE_END()
