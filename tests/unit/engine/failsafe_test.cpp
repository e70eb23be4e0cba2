// Goal: the engine's side of DCS failsafe mode (ha-loop.md 17). A replica
// that accepted a POST /failsafe passes that leader to decide while the
// snapshot is unlocked, and, when the leader's member key is gone too,
// completes a copy of the snapshot with a member built from the POST, so that
// it follows the leader's conn_url instead of racing; snapshot() stays what
// the DCS holds. A leader that loses the DCS POSTs to the other members of
// the last /failsafe topology (not to the snapshot's members: there is no
// snapshot), keeps running when all accept and demotes otherwise.
// Method: in-memory policies (fakes.hpp) on a single-threaded io_context;
// each case has a control run in which the hook is absent or refuses, to show
// that the assertion depends on it.
#include "fakes.hpp"

#include <pgwarden/ha/engine.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>

using namespace pgwarden;
using namespace std::chrono_literals;
using fs_engine = ha::engine<test::mem_dcs, test::script_pg, test::count_watchdog, clock::steady_source>;

namespace {

ha::ha_config failsafe_config(std::string name)
{
    ha::ha_config c;
    c.name = name;
    c.scope = "demo";
    c.conn_url = "postgres://127.0.0.1:5432/postgres";
    c.api_url = "http://127.0.0.1:8008/patroni";
    c.watchdog = ha::watchdog_mode::off;
    c.failsafe_mode = true;
    return c;
}

dcs::member_record member(std::string name, std::string conn_url, std::string api_url)
{
    dcs::member_record m;
    m.name = std::move(name);
    m.version = 1;
    m.data.conn_url = std::move(conn_url);
    m.data.api_url = std::move(api_url);
    m.data.state = "running";
    return m;
}

void initialized(test::mem_dcs& dcs, test::script_pg& pg, pg::pg_role role)
{
    test::running_cluster(dcs, pg, role, R"({"failsafe_mode":true})");
}

const std::string leader_conn = "postgres://10.0.0.1:5432/postgres";

/// One cycle of replica n2 in an unlocked cluster whose leader n1 has no member key any more.
struct replica_case {
    boost::asio::io_context io;
    test::mem_dcs dcs;
    test::script_pg pg;
    test::count_watchdog wd;
    std::string message;

    void cycle(std::function<std::optional<dcs::member_record>()> hook)
    {
        initialized(dcs, pg, pg::pg_role::replica);
        dcs.data.members = {member("n2", "postgres://10.0.0.2:5432/postgres", "http://10.0.0.2:8008/patroni")};
        ha::engine_hooks hooks;
        hooks.on_cycle = [this](const ha::cycle_report& r) { message = r.message; };
        hooks.failsafe_leader = std::move(hook);
        fs_engine e(io.get_executor(), dcs, pg, wd, clock::steady_source{}, failsafe_config("n2"), hooks, 7);
        BOOST_REQUIRE(test::run_to_end(io, e.run_cycle()));
        BOOST_TEST_MESSAGE("cycle message: " << message);
        // snapshot() is the DCS as read: the completion is only for decide.
        BOOST_REQUIRE(e.snapshot().has_value());
        BOOST_TEST(!e.snapshot()->find_member("n1"));
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(ha_engine_failsafe)

BOOST_AUTO_TEST_CASE(replica_follows_the_failsafe_leader_without_its_member_key)
{
    replica_case c;
    c.cycle([] { return member("n1", leader_conn, "http://10.0.0.1:8008/patroni"); });
    BOOST_TEST(!c.dcs.data.leader.has_value());
    BOOST_TEST((std::find(c.dcs.log.begin(), c.dcs.log.end(), "acquire_leader") == c.dcs.log.end()));
    BOOST_TEST((std::find(c.pg.log.begin(), c.pg.log.end(), "promote") == c.pg.log.end()));
    BOOST_REQUIRE(c.pg.last_follow.has_value());
    BOOST_TEST(c.pg.last_follow->conn_url == leader_conn);
    BOOST_TEST(c.pg.last_follow->member.value_or("") == "n1");
    BOOST_TEST(c.message.find("(n1)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(control_without_a_failsafe_leader_the_replica_races)
{
    replica_case c;
    c.cycle([] { return std::optional<dcs::member_record>{}; });
    BOOST_REQUIRE(c.dcs.data.leader.has_value());
    BOOST_TEST(c.dcs.data.leader->name == "n2");
}

BOOST_AUTO_TEST_CASE(failsafe_leader_ignored_when_failsafe_mode_is_off)
{
    boost::asio::io_context io;
    test::mem_dcs dcs;
    test::script_pg pg;
    test::count_watchdog wd;
    initialized(dcs, pg, pg::pg_role::replica);
    dcs.data.members = {member("n2", "postgres://10.0.0.2:5432/postgres", "http://10.0.0.2:8008/patroni")};
    ha::engine_hooks hooks;
    int asked = 0;
    hooks.failsafe_leader = [&] {
        ++asked;
        return std::optional(member("n1", leader_conn, "http://10.0.0.1:8008/patroni"));
    };
    auto cfg = failsafe_config("n2");
    cfg.failsafe_mode = false;
    fs_engine e(io.get_executor(), dcs, pg, wd, clock::steady_source{}, cfg, hooks, 7);
    BOOST_REQUIRE(test::run_to_end(io, e.run_cycle()));
    BOOST_TEST(asked == 0);
    BOOST_REQUIRE(dcs.data.leader.has_value());
    BOOST_TEST(dcs.data.leader->name == "n2");
}

BOOST_AUTO_TEST_CASE(leader_posts_to_the_failsafe_topology_when_the_dcs_is_down)
{
    boost::asio::io_context io;
    test::mem_dcs dcs;
    test::script_pg pg;
    test::count_watchdog wd;
    initialized(dcs, pg, pg::pg_role::primary);
    dcs.data.members = {member("n1", "postgres://10.0.0.1:5432/postgres", "http://10.0.0.1:8008/patroni"),
                        member("n2", "postgres://10.0.0.2:5432/postgres", "http://10.0.0.2:8008/patroni"),
                        member("n3", "postgres://10.0.0.3:5432/postgres", "http://10.0.0.3:8008/patroni")};
    std::vector<std::vector<std::pair<std::string, std::string>>> posted;
    bool accept = true;
    std::string message;
    ha::engine_hooks hooks;
    hooks.on_cycle = [&](const ha::cycle_report& r) { message = r.message; };
    hooks.post_failsafe = [&](std::vector<std::pair<std::string, std::string>> targets) -> task<bool> {
        posted.push_back(std::move(targets));
        co_return accept;
    };
    fs_engine e(io.get_executor(), dcs, pg, wd, clock::steady_source{}, failsafe_config("n1"), hooks, 7);
    for (int i = 0; i < 3 && e.state().failsafe_topology.empty(); ++i)
        BOOST_REQUIRE(test::run_to_end(io, e.run_cycle()));
    BOOST_REQUIRE(dcs.data.leader.has_value());
    BOOST_REQUIRE(e.state().failsafe_topology.size() == 3u);
    BOOST_TEST(posted.empty());

    dcs.down = true;
    BOOST_REQUIRE(test::run_to_end(io, e.run_cycle()));
    BOOST_REQUIRE(posted.size() == 1u);
    const std::vector<std::pair<std::string, std::string>> others = {{"n2", "http://10.0.0.2:8008/patroni"},
                                                                     {"n3", "http://10.0.0.3:8008/patroni"}};
    BOOST_TEST((posted.back() == others));
    BOOST_TEST(message == "continue to run as a leader because failsafe mode is enabled and all members are accessible");
    BOOST_TEST((std::find(pg.log.begin(), pg.log.end(), "stop") == pg.log.end()));
    BOOST_TEST(e.state().failsafe_active);

    accept = false;   // one member did not accept: demote as without failsafe
    BOOST_REQUIRE(test::run_to_end(io, e.run_cycle()));
    BOOST_TEST(posted.size() == 2u);
    BOOST_TEST(message == "demoted self because DCS is not accessible and I was a leader");
    BOOST_TEST((std::find(pg.log.begin(), pg.log.end(), "stop") != pg.log.end()));
}

BOOST_AUTO_TEST_SUITE_END()
