// Goal: zookeeper::client, the dcs::client model, gives the HA loop
// Patroni's ZooKeeper semantics against a real ZooKeeper 3.8: configuration
// checks, initialize race and cancel, CAS writes of config/sync/failover
// returning false on a lost race, unconditional status/history/failsafe,
// wait_for_change woken by a watched change and timing out otherwise,
// reconnection after a dropped connection, and delete_cluster.
// Method: two clients on one scope, each checking the other's writes
// through load_cluster().
#include "common.hpp"
#include "support/run_task.hpp"

#include <pgwarden/dcs/zookeeper/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

using namespace pgwarden;
using namespace std::chrono_literals;
namespace zk = pgwarden::dcs::zookeeper;
using pgwarden::test::run_task;

namespace {

zk::config config(const std::string& scope, const std::string& name)
{
    zk::config c;
    c.scope = scope;
    c.name = name;
    c.ttl = 4s;
    c.retry_timeout = 4s;
    c.hosts = {"127.0.0.1:" + std::to_string(test::shared_zookeeper().port())};
    return c;
}

template <class T>
T run(boost::asio::io_context& io, task<T> t)
{
    return run_task(io, std::move(t));
}

} // namespace

BOOST_AUTO_TEST_SUITE(zookeeper_client)

BOOST_AUTO_TEST_CASE(configuration_is_checked)
{
    boost::asio::io_context io;
    auto c = config("cfg", "a");
    c.hosts.clear();
    BOOST_TEST((zk::client::create(io.get_executor(), c).error() == zk::error::bad_config));
    c.hosts = {"127.0.0.1:notaport"};
    BOOST_TEST((zk::client::create(io.get_executor(), c).error() == zk::error::bad_config));
    c.hosts = {"127.0.0.1:70000"};
    BOOST_TEST((zk::client::create(io.get_executor(), c).error() == condition::invalid_argument));
    c.hosts = {"127.0.0.1"};
    BOOST_TEST(zk::client::create(io.get_executor(), c).has_value());
}

BOOST_AUTO_TEST_CASE(writes_follow_patroni_semantics)
{
    boost::asio::io_context io;
    auto a = zk::client::create(io.get_executor(), config("flow", "a")).value();
    auto b = zk::client::create(io.get_executor(), config("flow", "b")).value();
    BOOST_TEST_REQUIRE(run(io, a.start()).has_value());
    BOOST_TEST_REQUIRE(run(io, b.start()).has_value());

    BOOST_TEST(run(io, a.try_initialize("7301234567890123456")).value());
    BOOST_TEST(!run(io, b.try_initialize("1")).value());
    BOOST_TEST(run(io, a.acquire_leader({"a", 4s})).value());
    BOOST_TEST(run(io, a.renew_leader({"a", 4s}, 0)).value());

    BOOST_TEST(run(io, a.write_config(R"({"ttl":4})", 0)).value());
    BOOST_TEST(run(io, a.write_config(R"({"ttl":5})", 0)).value());      // version 1 now
    BOOST_TEST(!run(io, b.write_config(R"({"ttl":6})", 7)).value());     // stale
    BOOST_TEST(run(io, b.write_config(R"({"ttl":6})", 1)).value());

    dcs::sync_record sync;
    sync.leader = "a";
    sync.sync_standby = {"b"};
    BOOST_TEST(!run(io, a.write_sync(sync, 3)).value());   // absent + version: lost
    BOOST_TEST(run(io, a.write_sync(sync, 0)).value());

    dcs::failover_record fo;
    fo.leader = "a";
    fo.member = "b";
    BOOST_TEST(run(io, b.write_failover(fo, 0)).value());

    dcs::status_record st;
    st.optime = lsn(0x5000028);
    BOOST_TEST(run(io, a.write_status(st)).has_value());
    BOOST_TEST(run(io, a.write_history(dcs::history_record{})).has_value());
    BOOST_TEST(run(io, a.write_failsafe(R"({"a":"http://127.0.0.1:8008/patroni"})")).has_value());

    auto snap = run(io, b.load_cluster());
    BOOST_TEST_REQUIRE(snap.has_value(), snap.error().message());
    BOOST_TEST(snap->initialize.value_or("") == "7301234567890123456");
    BOOST_TEST_REQUIRE(snap->config.has_value());
    BOOST_TEST(snap->config->version == 2);
    BOOST_TEST(snap->config->json == R"({"ttl":6})");
    BOOST_TEST_REQUIRE(snap->sync.has_value());
    BOOST_TEST(snap->sync->leader == "a");
    BOOST_TEST(snap->sync->version == 0);
    BOOST_TEST_REQUIRE(snap->failover.has_value());
    BOOST_TEST(snap->failover->member == "b");
    BOOST_TEST_REQUIRE(snap->status.has_value());
    BOOST_TEST((snap->last_lsn() == lsn(0x5000028)));
    BOOST_TEST(snap->failsafe.has_value());
    BOOST_TEST_REQUIRE(snap->leader.has_value());
    BOOST_TEST(snap->leader->name == "a");

    // delete_sync keeps the node and writes {} with CAS.
    BOOST_TEST(!run(io, a.delete_sync(9)).value());
    BOOST_TEST(run(io, a.delete_sync(snap->sync->version)).value());
    auto after = run(io, b.load_cluster());
    BOOST_TEST_REQUIRE(after->sync.has_value());
    BOOST_TEST(after->sync->leader.empty());

    BOOST_TEST(run(io, a.cancel_initialize()).has_value());
    BOOST_TEST(!run(io, b.load_cluster())->initialize.has_value());
    BOOST_TEST(run(io, a.cancel_initialize()).has_value());   // absent: still fine
    BOOST_TEST(run(io, a.set_initialize("42")).has_value());
    BOOST_TEST(run(io, b.load_cluster())->initialize.value_or("") == "42");

    BOOST_TEST(run(io, a.release_leader(0)).value());
    BOOST_TEST(!run(io, b.load_cluster())->leader.has_value());

    BOOST_TEST(run(io, b.delete_cluster()).has_value());
    auto empty = run(io, a.load_cluster());
    BOOST_TEST_REQUIRE(empty.has_value());
    BOOST_TEST(!empty->initialize.has_value());
    BOOST_TEST(!empty->config.has_value());
    BOOST_TEST(empty->members.empty());
}

BOOST_AUTO_TEST_CASE(wait_for_change_wakes_on_watched_changes)
{
    boost::asio::io_context io;
    auto a = zk::client::create(io.get_executor(), config("wake", "a")).value();
    auto b = zk::client::create(io.get_executor(), config("wake", "b")).value();
    BOOST_TEST_REQUIRE(run(io, a.start()).has_value());
    BOOST_TEST_REQUIRE(run(io, b.start()).has_value());
    BOOST_TEST(run(io, a.write_config("{}", 0)).value());
    BOOST_TEST_REQUIRE(run(io, b.load_cluster()).has_value());
    (void)run(io, b.wait_for_change(0, 0ms));   // drains the connect event
    // Nothing changes: the wait runs out (t + 0.5 s).
    BOOST_TEST(run(io, b.wait_for_change(0, 100ms)).value() == false);
    BOOST_TEST(run(io, a.write_config(R"({"loop_wait":3})", 0)).value());
    BOOST_TEST(run(io, b.wait_for_change(0, 5000ms)).value() == true);
    BOOST_TEST(run(io, b.delete_cluster()).has_value());
}

BOOST_AUTO_TEST_CASE(operations_reconnect_after_a_dropped_connection)
{
    boost::asio::io_context io;
    auto a = zk::client::create(io.get_executor(), config("reconnect", "a")).value();
    BOOST_TEST_REQUIRE(run(io, a.start()).has_value());
    BOOST_TEST(run(io, a.acquire_leader({"a", 4s})).value());
    const auto id = a.store().session().session_id();
    a.store().session().drop_connection();
    auto snap = run(io, a.load_cluster());
    BOOST_TEST_REQUIRE(snap.has_value(), snap.error().message());
    BOOST_TEST(a.store().session().session_id() == id);   // resumed, not replaced
    BOOST_TEST_REQUIRE(snap->leader.has_value());
    BOOST_TEST(snap->leader->session == std::to_string(id));
    BOOST_TEST(run(io, a.renew_leader({"a", 4s}, 0)).value());
    BOOST_TEST(run(io, a.delete_cluster()).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
