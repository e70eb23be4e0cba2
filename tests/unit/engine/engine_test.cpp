// Goal: the engine shell gathers inputs, runs decide's actions in order
// through the policies, stops at the first failure and reports it, and wakes
// on the leader watch instead of waiting for the next loop tick.
// Method: in-memory policies (fakes.hpp) on a single-threaded io_context.
#include "fakes.hpp"

#include <pgwarden/ha/engine.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

using namespace pgwarden;
using namespace std::chrono_literals;
using test_engine = ha::engine<test::mem_dcs, test::script_pg, test::count_watchdog, clock::steady_source>;

namespace {

ha::ha_config make_config(std::string name)
{
    ha::ha_config c;
    c.name = std::move(name);
    c.scope = "demo";
    c.conn_url = "postgres://127.0.0.1:5432/postgres";
    c.api_url = "http://127.0.0.1:8008/patroni";
    c.watchdog = ha::watchdog_mode::off;
    return c;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ha_engine)

BOOST_AUTO_TEST_CASE(running_primary_without_leader_takes_the_lock)
{
    boost::asio::io_context io;
    test::mem_dcs dcs;
    test::script_pg pg;
    test::running_cluster(dcs, pg, pg::pg_role::primary);
    test::count_watchdog wd;
    std::vector<std::string> messages;
    ha::engine_hooks hooks;
    hooks.on_cycle = [&](const ha::cycle_report& r) { messages.push_back(r.message); };
    test_engine e(io.get_executor(), dcs, pg, wd, clock::steady_source{}, make_config("n1"), hooks, 1);
    e.request_restart({});   // ignored by a cycle that has no reason to restart; exercises queuing
    BOOST_REQUIRE(test::run_to_end(io, e.run_cycle()));
    BOOST_REQUIRE(!messages.empty());
    BOOST_TEST_MESSAGE("cycle message: " << messages.back());
    BOOST_REQUIRE(dcs.data.leader);
    BOOST_TEST(dcs.data.leader->name == "n1");
    BOOST_TEST((std::find(dcs.log.begin(), dcs.log.end(), "acquire_leader") != dcs.log.end()));
}

BOOST_AUTO_TEST_CASE(dcs_outage_is_an_input_not_a_crash)
{
    boost::asio::io_context io;
    test::mem_dcs dcs;
    dcs.down = true;
    test::script_pg pg;
    test::count_watchdog wd;
    test_engine e(io.get_executor(), dcs, pg, wd, clock::steady_source{}, make_config("n1"), {}, 1);
    BOOST_REQUIRE(test::run_to_end(io, e.run_cycle()));
    BOOST_TEST(!e.last_report().cluster.has_value());
    BOOST_TEST(!e.last_report().message.empty());
}

BOOST_AUTO_TEST_CASE(paused_shutdown_leaves_postgres_running_and_exits)
{
    // Found by the simulator (tests/sim/scenarios/shutdown.txt): in pause decide answers
    // "PAUSE: shutting down, PostgreSQL left running"; the engine must end on it too.
    boost::asio::io_context io;
    test::mem_dcs dcs;
    test::script_pg pg;
    test::running_cluster(dcs, pg, pg::pg_role::replica, "{\"pause\":true}");
    test::count_watchdog wd;
    auto cfg = make_config("n1");
    cfg.pause = true;
    test_engine e(io.get_executor(), dcs, pg, wd, clock::steady_source{}, cfg, {}, 1);
    e.request_shutdown();
    std::optional<int> code;
    boost::asio::co_spawn(io, [&]() -> task<void> { code = co_await e.run(); }, boost::asio::detached);
    io.run_for(5s);
    BOOST_REQUIRE(code.has_value());
    BOOST_TEST(e.last_report().message == "PAUSE: shutting down, PostgreSQL left running");
    BOOST_TEST(pg.state.running);
}

BOOST_AUTO_TEST_CASE(refresh_on_request_probes_between_cycles_without_a_cycle_or_a_new_watch)
{
    // With refresh_interval 0 (the daemons) PostgreSQL is probed between
    // cycles only when asked, once per request that finds none under way,
    // and the watch of the leader key lasts across the re-probe.
    boost::asio::io_context io;
    test::mem_dcs dcs;
    test::script_pg pg;
    test::running_cluster(dcs, pg, pg::pg_role::primary);
    test::count_watchdog wd;
    int cycles = 0, refreshes = 0;
    std::int64_t refreshed_timeline = 0;
    ha::engine_hooks hooks;
    hooks.on_cycle = [&](const ha::cycle_report&) { ++cycles; };
    hooks.on_refresh = [&](const ha::cycle_report& r) {
        ++refreshes;
        refreshed_timeline = r.local ? r.local->timeline : -1;
    };
    hooks.refresh_interval = 0ms;
    test_engine e(io.get_executor(), dcs, pg, wd, clock::steady_source{}, make_config("n1"), hooks, 1);
    bool done = false;
    boost::asio::co_spawn(io, [&]() -> task<void> { co_await e.run(); done = true; }, boost::asio::detached);
    // Runs the io_context until `pred` holds (or 5 s pass).
    auto run_until = [&](auto pred) {
        const auto limit = std::chrono::steady_clock::now() + 5s;
        while (!pred() && std::chrono::steady_clock::now() < limit) io.run_for(10ms);
        return pred();
    };
    BOOST_REQUIRE(run_until([&] { return cycles == 1 && dcs.watches == 1; }));
    const int probes = pg.probes;
    io.run_for(300ms);   // nobody asks: no probe
    BOOST_TEST(pg.probes == probes);
    BOOST_TEST(refreshes == 0);

    pg.state.timeline = 2;   // seen by the re-probe only
    e.request_refresh();
    e.request_refresh();     // one is under way: dropped
    BOOST_REQUIRE(run_until([&] { return refreshes == 1; }));
    io.run_for(50ms);
    BOOST_TEST(pg.probes == probes + 1);
    BOOST_TEST(refreshes == 1);
    BOOST_TEST(refreshed_timeline == 2);
    BOOST_TEST(e.last_report().local->timeline == 2);
    BOOST_TEST(cycles == 1);          // no decision
    BOOST_TEST(dcs.watches == 1);     // the watch was not restarted

    e.request_refresh();
    BOOST_REQUIRE(run_until([&] { return refreshes == 2; }));
    BOOST_TEST(pg.probes == probes + 2);

    e.request_shutdown();
    BOOST_REQUIRE(run_until([&] { return done; }));
    BOOST_TEST(cycles >= 2);
}

BOOST_AUTO_TEST_SUITE_END()
