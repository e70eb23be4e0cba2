// Goal: the dcs.md 6 operations built on the session behave like Patroni's
// ZooKeeper class against a real ZooKeeper 3.8: the scope loads into a
// cluster_snapshot with ZooKeeper's versions and sessions, the leader and
// member nodes are ephemeral and tied to the session, create-only writes
// lose races as `false`, set-with-version follows Patroni's rules (0 means
// unconditional, NoNode creates only without a version), and releasing the
// leader restarts the session. Method: two stores (two nodes) on one scope
// per case, checked through each other's load_cluster().
#include "common.hpp"
#include "support/run_task.hpp"

#include <pgwarden/dcs/zookeeper/store.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

using namespace pgwarden;
using namespace std::chrono_literals;
namespace zk = pgwarden::dcs::zookeeper;
namespace jute = pgwarden::dcs::zookeeper::jute;
using pgwarden::test::run_task;

namespace {

zk::store_config config(const std::string& scope, const std::string& name)
{
    zk::store_config c;
    c.session.port = test::shared_zookeeper().port();
    c.session.session_timeout = 2000ms;
    c.scope = scope;
    c.name = name;
    return c;
}

dcs::member_data member(const std::string& state)
{
    dcs::member_data m;
    m.conn_url = "postgres://127.0.0.1:5432/postgres";
    m.api_url = "http://127.0.0.1:8008/patroni";
    m.state = state;
    m.role = "replica";
    m.version = "4.1.4";
    return m;
}

template <class T>
T run(boost::asio::io_context& io, task<T> t)
{
    return run_task(io, std::move(t));
}

} // namespace

BOOST_AUTO_TEST_SUITE(zookeeper_store)

BOOST_AUTO_TEST_CASE(empty_scope_loads_as_empty_snapshot)
{
    boost::asio::io_context io;
    zk::store a(io.get_executor(), config("empty", "a"));
    BOOST_TEST_REQUIRE(run(io, a.start()).has_value());
    BOOST_TEST(a.base() == "/service/empty");
    auto snap = run(io, a.load_cluster());
    BOOST_TEST_REQUIRE(snap.has_value(), snap.error().message());
    BOOST_TEST(!snap->initialize.has_value());
    BOOST_TEST(!snap->leader.has_value());
    BOOST_TEST(snap->members.empty());
    BOOST_TEST(run(io, a.session().close()).has_value());
}

BOOST_AUTO_TEST_CASE(initialize_leader_and_members)
{
    boost::asio::io_context io;
    zk::store a(io.get_executor(), config("lock", "a"));
    zk::store b(io.get_executor(), config("lock", "b"));
    BOOST_TEST_REQUIRE(run(io, a.start()).has_value());
    BOOST_TEST_REQUIRE(run(io, b.start()).has_value());

    BOOST_TEST(run(io, a.try_initialize("7301234567890123456")).value() == true);
    BOOST_TEST(run(io, b.try_initialize("7300000000000000000")).value() == false);

    const dcs::leader_claim ca{"a", 30s}, cb{"b", 30s};
    BOOST_TEST(run(io, a.acquire_leader(ca)).value() == true);
    BOOST_TEST(run(io, b.acquire_leader(cb)).value() == false);
    BOOST_TEST(run(io, a.renew_leader(ca)).value() == true);
    BOOST_TEST(run(io, b.renew_leader(cb)).value() == false);

    BOOST_TEST_REQUIRE(run(io, a.publish_member(member("running"))).has_value());
    BOOST_TEST_REQUIRE(run(io, b.publish_member(member("streaming"))).has_value());

    auto snap = run(io, b.load_cluster());
    BOOST_TEST_REQUIRE(snap.has_value(), snap.error().message());
    BOOST_TEST(snap->initialize.value_or("") == "7301234567890123456");
    BOOST_TEST_REQUIRE(snap->leader.has_value());
    BOOST_TEST(snap->leader->name == "a");
    BOOST_TEST(snap->leader->version == 0);
    BOOST_TEST(snap->leader->session == std::to_string(a.session().session_id()));
    BOOST_TEST_REQUIRE(snap->members.size() == 2u);
    BOOST_TEST(snap->members[0].name == "a");
    BOOST_TEST(snap->members[0].data.state == "running");
    BOOST_TEST(snap->members[0].session == std::to_string(a.session().session_id()));
    BOOST_TEST(snap->members[1].name == "b");
    BOOST_TEST(snap->members[1].data.state == "streaming");

    // Identical data: no write; a minor change: set (the version moves); a
    // change the leader reacts to (leaving "running"): delete + create.
    BOOST_TEST_REQUIRE(run(io, a.publish_member(member("running"))).has_value());
    BOOST_TEST(run(io, b.load_cluster())->members[0].version == 0);
    auto moved = member("running");
    moved.xlog_location = lsn(0x3000060);
    BOOST_TEST_REQUIRE(run(io, a.publish_member(moved)).has_value());
    auto again = run(io, b.load_cluster());
    BOOST_TEST(again->members[0].version == 1);
    BOOST_TEST(again->members[0].data.xlog_location.has_value());
    BOOST_TEST_REQUIRE(run(io, a.publish_member(member("stopping"))).has_value());
    auto recreated = run(io, b.load_cluster());
    BOOST_TEST(recreated->members[0].version == 0);
    BOOST_TEST(recreated->members[0].data.state == "stopping");

    // Releasing the lock restarts a's session: its leader and member nodes go.
    const auto old_session = a.session().session_id();
    BOOST_TEST(run(io, a.release_leader()).value() == true);
    BOOST_TEST(a.session().session_id() != old_session);
    auto after = run(io, b.load_cluster());
    BOOST_TEST_REQUIRE(after.has_value());
    BOOST_TEST(!after->leader.has_value());
    BOOST_TEST_REQUIRE(after->members.size() == 1u);
    BOOST_TEST(after->members[0].name == "b");
    BOOST_TEST(run(io, b.acquire_leader(cb)).value() == true);
    BOOST_TEST(run(io, b.load_cluster())->leader->name == "b");
    BOOST_TEST(run(io, a.session().close()).has_value());
    BOOST_TEST(run(io, b.session().close()).has_value());
}

BOOST_AUTO_TEST_CASE(leader_of_another_session_is_recreated)
{
    boost::asio::io_context io;
    zk::store a(io.get_executor(), config("owner", "a"));
    zk::store b(io.get_executor(), config("owner", "b"));
    BOOST_TEST_REQUIRE(run(io, a.start()).has_value());
    BOOST_TEST_REQUIRE(run(io, b.start()).has_value());
    // "a" is named by a leader node that b's session owns (as after a's
    // session was replaced while the node lived on).
    BOOST_TEST(run(io, b.acquire_leader({"a", 30s})).value());
    auto before = run(io, a.load_cluster());
    BOOST_TEST_REQUIRE(before->leader.has_value());
    BOOST_TEST(before->leader->session == std::to_string(b.session().session_id()));
    BOOST_TEST(run(io, a.renew_leader({"a", 30s})).value() == true);
    auto after = run(io, b.load_cluster());
    BOOST_TEST_REQUIRE(after->leader.has_value());
    BOOST_TEST(after->leader->name == "a");
    BOOST_TEST(after->leader->session == std::to_string(a.session().session_id()));
    // b's cached leader names "a": b cannot renew as "b".
    BOOST_TEST(run(io, b.renew_leader({"b", 30s})).value() == false);
    BOOST_TEST(run(io, a.session().close()).has_value());
    BOOST_TEST(run(io, b.session().close()).has_value());
}

BOOST_AUTO_TEST_CASE(set_with_version_follows_patroni)
{
    boost::asio::io_context io;
    zk::store a(io.get_executor(), config("cas", "a"));
    BOOST_TEST_REQUIRE(run(io, a.start()).has_value());
    // Absent with a version: lost; absent without: created at version 0.
    BOOST_TEST(!run(io, a.set_value("sync", "{}", 5)).value().has_value());
    BOOST_TEST(run(io, a.set_value("config", R"({"ttl":30})", std::nullopt)).value().value_or(-1) == 0);
    // Version 0 counts as "no version": unconditional.
    BOOST_TEST(run(io, a.set_value("config", R"({"ttl":31})", 0)).value().value_or(-1) == 1);
    BOOST_TEST(run(io, a.set_value("config", R"({"ttl":32})", 1)).value().value_or(-1) == 2);
    BOOST_TEST(!run(io, a.set_value("config", R"({"ttl":33})", 1)).value().has_value());
    auto snap = run(io, a.load_cluster());
    BOOST_TEST_REQUIRE(snap.has_value());
    BOOST_TEST_REQUIRE(snap->config.has_value());
    BOOST_TEST(snap->config->version == 2);
    BOOST_TEST(snap->config->modify_version > 0);   // mzxid
    BOOST_TEST(snap->config->json == R"({"ttl":32})");
    BOOST_TEST(run(io, a.session().close()).has_value());
}

BOOST_AUTO_TEST_CASE(load_cluster_watches_leader_and_config)
{
    boost::asio::io_context io;
    zk::store a(io.get_executor(), config("watch", "a"));
    zk::store b(io.get_executor(), config("watch", "b"));
    BOOST_TEST_REQUIRE(run(io, a.start()).has_value());
    BOOST_TEST_REQUIRE(run(io, b.start()).has_value());
    BOOST_TEST(run(io, a.acquire_leader({"a", 30s})).value());
    BOOST_TEST(run(io, a.set_value("config", "{}", std::nullopt)).has_value());
    BOOST_TEST_REQUIRE(run(io, b.load_cluster()).has_value());
    while (b.session().queued_events() > 0) (void)run(io, b.session().next_event(0ms));

    BOOST_TEST(run(io, a.set_value("config", R"({"loop_wait":5})", std::nullopt)).has_value());
    auto ev = run(io, b.session().next_event(5s));
    BOOST_TEST_REQUIRE(ev.has_value());
    BOOST_TEST((ev->type == jute::event_type::node_data_changed));
    BOOST_TEST(ev->path == "/service/watch/config");

    // The leader node is not watched itself: its deletion shows as a change
    // of the scope's children (Patroni 4.1).
    BOOST_TEST(run(io, a.release_leader()).value());
    auto gone = run(io, b.session().next_event(5s));
    BOOST_TEST_REQUIRE(gone.has_value());
    BOOST_TEST((gone->type == jute::event_type::node_children_changed));
    BOOST_TEST(gone->path == "/service/watch");
    BOOST_TEST(run(io, a.session().close()).has_value());
    BOOST_TEST(run(io, b.session().close()).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
