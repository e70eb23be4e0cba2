// Goal: the engine tells decide why a background pg_rewind failed (ha-loop.md
// 10.3, Patroni Rewind.execute): a source it could not reach (condition
// unavailable) leaves the rewind needed, to be retried; any other failure
// makes it final (FAILED).
// Method: a stopped replica whose timeline diverged from the leader's, with
// in-memory policies; the controller's rewind fails with connect_failed in
// one run and command_failed in the other; after the background task ended
// the next cycle's state shows the rewind state decide derived from it.
#include "fakes.hpp"

#include <pgwarden/ha/engine.hpp>
#include <pgwarden/pg/error.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

using namespace pgwarden;

namespace {

/// script_pg whose timelines diverged from the leader's and whose pg_rewind fails with `error`.
struct diverged_pg : test::script_pg {
    ha::local_facts f;
    pg::error error = pg::error::connect_failed;
    int rewinds = 0;

    ha::local_facts facts() const { return f; }
    task<result<void>> perform(const ha::pg_check_divergence&)
    {
        f.divergence_check = ha::divergence::need_rewind;
        co_return result<void>{};
    }
    task<result<void>> rewind(const pg::follow_target&)
    {
        ++rewinds;
        co_return result<void>{pg::make_error_code(error)};
    }
};
static_assert(pg::controller<diverged_pg>);

using rw_engine = ha::engine<test::mem_dcs, diverged_pg, test::count_watchdog, clock::steady_source>;

/// Runs cycles until the rewind ran and the cycle after it decided; returns that state.
ha::ha_state rewind_outcome(pg::error error, int& rewinds)
{
    boost::asio::io_context io;
    test::mem_dcs dcs;
    dcs.data.initialize = "7300000000000000001";
    dcs.data.config = dcs::config_record{1, 1, "{}"};
    dcs.data.history = dcs::history_record{1, true, {}};
    dcs.data.leader = dcs::leader_record{"n2", 5, "s"};
    dcs::member_record leader;
    leader.name = "n2";
    leader.version = 1;
    leader.data.conn_url = "postgres://127.0.0.2:5432/postgres";
    leader.data.api_url = "http://127.0.0.2:8008/patroni";
    leader.data.state = "running";
    leader.data.role = "primary";
    dcs.data.members = {leader};
    diverged_pg pg;
    pg.error = error;
    pg.state.data_dir_empty = false;
    pg.state.running = false;
    pg.state.role = pg::pg_role::replica;
    pg.state.in_recovery = true;
    pg.state.state = pg::pg_state::stopped;
    pg.state.cleanly_shut_down = true;
    pg.state.timeline = 1;
    pg.state.system_identifier = 7300000000000000001ULL;
    pg.f.has_recovery_conf = true;
    pg.f.pg_rewind_usable = true;
    pg.f.following = "n2";
    test::count_watchdog wd;
    ha::ha_config cfg;
    cfg.name = "n1";
    cfg.scope = "demo";
    cfg.conn_url = "postgres://127.0.0.1:5432/postgres";
    cfg.api_url = "http://127.0.0.1:8008/patroni";
    cfg.watchdog = ha::watchdog_mode::off;
    cfg.use_pg_rewind = true;
    rw_engine e(io.get_executor(), dcs, pg, wd, clock::steady_source{}, cfg, {}, 1);
    for (int cycle = 0; cycle < 4 && pg.rewinds == 0; ++cycle) {
        boost::asio::co_spawn(io, e.run_cycle(), boost::asio::detached);
        io.run();   // the cycle and the background task it started
        io.restart();
    }
    rewinds = pg.rewinds;
    boost::asio::co_spawn(io, e.run_cycle(), boost::asio::detached);   // learns how it ended
    io.run();
    return e.last_report().state;
}

} // namespace

BOOST_AUTO_TEST_SUITE(ha_engine_rewind)

BOOST_AUTO_TEST_CASE(unreachable_source_keeps_the_rewind_needed)
{
    int rewinds = 0;
    const auto st = rewind_outcome(pg::error::connect_failed, rewinds);
    BOOST_REQUIRE(rewinds == 1);
    BOOST_TEST((st.rewind == ha::rewind_state::need));
}

BOOST_AUTO_TEST_CASE(other_failures_are_final)
{
    int rewinds = 0;
    const auto st = rewind_outcome(pg::error::command_failed, rewinds);
    BOOST_REQUIRE(rewinds == 1);
    BOOST_TEST((st.rewind == ha::rewind_state::failed));
}

BOOST_AUTO_TEST_SUITE_END()
