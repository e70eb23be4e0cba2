// Goal: the session client speaks ZooKeeper 3.8's protocol correctly against
// a real server: handshake and timeout negotiation, create/get/set/delete
// with versions, server errors as values mapped to conditions, ephemeral
// nodes tied to the session, one-shot data watches, pipelined requests,
// connection loss, session resumption and session expiry.
// Method: one standalone ZooKeeper (tests/support/zookeeper.hpp) on a free
// loopback port, shared by the cases; each case uses its own paths. Events
// are awaited with deadlines, never with fixed sleeps.
#include "support/run_task.hpp"
#include "common.hpp"

#include <pgwarden/dcs/zookeeper/session.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>

using namespace pgwarden;
using namespace std::chrono_literals;
namespace zk = pgwarden::dcs::zookeeper;
namespace jute = pgwarden::dcs::zookeeper::jute;
using pgwarden::test::run_task;

namespace {

test::zookeeper_server& server()
{
    return test::shared_zookeeper();
}

zk::session_options options(std::chrono::milliseconds timeout = 2000ms)
{
    zk::session_options o;
    o.port = server().port();
    o.session_timeout = timeout;
    o.connect_timeout = 3000ms;
    return o;
}

template <class T>
T run(boost::asio::io_context& io, task<T> t)
{
    return run_task(io, std::move(t));
}

/// Takes events until one with `type` (and path) arrives or `limit` passes.
task<result<zk::session_event>> await_event(zk::session& s, jute::event_type type, std::string path,
                                             std::chrono::milliseconds limit)
{
    for (int i = 0; i < 100; ++i) {
        auto e = co_await s.next_event(limit);
        if (!e) co_return e;
        if (e->type == type && (path.empty() || e->path == path)) co_return e;
    }
    co_return fail(pgwarden::error::timeout);
}

task<result<zk::session_event>> await_state(zk::session& s, jute::keeper_state state, std::chrono::milliseconds limit)
{
    for (int i = 0; i < 100; ++i) {
        auto e = co_await s.next_event(limit);
        if (!e) co_return e;
        if (e->type == jute::event_type::none && e->state == state) co_return e;
    }
    co_return fail(pgwarden::error::timeout);
}

} // namespace

BOOST_AUTO_TEST_SUITE(zookeeper_session)

BOOST_AUTO_TEST_CASE(handshake_negotiates_timeout)
{
    BOOST_TEST_REQUIRE(test::zookeeper_available());
    boost::asio::io_context io;
    zk::session s(io.get_executor(), options(2000ms));
    BOOST_TEST((s.state() == zk::session_state::idle));
    auto r = run(io, s.connect());
    BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
    BOOST_TEST((s.state() == zk::session_state::connected));
    BOOST_TEST(s.session_id() != 0);
    BOOST_TEST(s.timeout().count() == 2000);
    auto ev = run(io, s.next_event(1s));
    BOOST_TEST_REQUIRE(ev.has_value());
    BOOST_TEST((ev->state == jute::keeper_state::sync_connected));

    // The server clamps a timeout above 20 ticks (tick = 200 ms).
    zk::session big(io.get_executor(), options(60000ms));
    BOOST_TEST_REQUIRE(run(io, big.connect()).has_value());
    BOOST_TEST(big.timeout().count() == 4000);
    BOOST_TEST(big.session_id() != s.session_id());
    BOOST_TEST(run(io, big.close()).has_value());
    BOOST_TEST(run(io, s.close()).has_value());
    BOOST_TEST((s.state() == zk::session_state::idle));
}

BOOST_AUTO_TEST_CASE(create_get_set_delete_with_versions)
{
    BOOST_TEST_REQUIRE(test::zookeeper_available());
    boost::asio::io_context io;
    zk::session s(io.get_executor(), options());
    BOOST_TEST_REQUIRE(run(io, s.connect()).has_value());

    auto created = run(io, s.create("/crud", "a"));
    BOOST_TEST_REQUIRE(created.has_value(), created.error().message());
    BOOST_TEST(*created == "/crud");
    auto again = run(io, s.create("/crud", "b"));
    BOOST_TEST_REQUIRE(!again.has_value());
    BOOST_TEST((again.error() == zk::error::node_exists));
    BOOST_TEST((again.error() == condition::cas_conflict));

    auto n = run(io, s.get("/crud"));
    BOOST_TEST_REQUIRE(n.has_value());
    BOOST_TEST(n->data == "a");
    BOOST_TEST(n->stat.version == 0);
    BOOST_TEST(n->stat.ephemeral_owner == 0);
    BOOST_TEST(n->stat.data_length == 1);

    auto s1 = run(io, s.set("/crud", "bb", 0));
    BOOST_TEST_REQUIRE(s1.has_value());
    BOOST_TEST(s1->version == 1);
    BOOST_TEST(s1->mzxid > n->stat.mzxid);
    auto stale = run(io, s.set("/crud", "cc", 0));
    BOOST_TEST_REQUIRE(!stale.has_value());
    BOOST_TEST((stale.error() == zk::error::bad_version));
    BOOST_TEST((stale.error() == condition::cas_conflict));
    auto s2 = run(io, s.set("/crud", "dd"));   // unconditional
    BOOST_TEST_REQUIRE(s2.has_value());
    BOOST_TEST(s2->version == 2);
    BOOST_TEST(run(io, s.get("/crud"))->data == "dd");

    // Children come back with the parent's stat.
    BOOST_TEST_REQUIRE(run(io, s.create("/crud/x", "")).has_value());
    BOOST_TEST_REQUIRE(run(io, s.create("/crud/y", "")).has_value());
    auto kids = run(io, s.get_children("/crud"));
    BOOST_TEST_REQUIRE(kids.has_value());
    auto names = kids->children;
    std::sort(names.begin(), names.end());
    BOOST_TEST(names == (std::vector<std::string>{"x", "y"}));
    BOOST_TEST(kids->stat.num_children == 2);

    auto not_empty = run(io, s.remove("/crud"));
    BOOST_TEST((not_empty.error() == zk::error::not_empty));
    BOOST_TEST(run(io, s.remove("/crud/x")).has_value());
    BOOST_TEST(run(io, s.remove("/crud/y")).has_value());
    auto bad = run(io, s.remove("/crud", 1));
    BOOST_TEST((bad.error() == zk::error::bad_version));
    BOOST_TEST(run(io, s.remove("/crud", 2)).has_value());

    auto gone = run(io, s.get("/crud"));
    BOOST_TEST_REQUIRE(!gone.has_value());
    BOOST_TEST((gone.error() == zk::error::no_node));
    BOOST_TEST((gone.error() == condition::not_found));
    BOOST_TEST((run(io, s.set("/crud", "x")).error() == zk::error::no_node));
    BOOST_TEST((run(io, s.remove("/crud")).error() == zk::error::no_node));
    auto ex = run(io, s.exists("/crud"));
    BOOST_TEST_REQUIRE(ex.has_value());
    BOOST_TEST(!ex->has_value());
    BOOST_TEST((run(io, s.create("/no/parent", "")).error() == zk::error::no_node));

    // Binary data survives unchanged.
    const std::string blob("\0\xff\x01zk", 5);
    BOOST_TEST_REQUIRE(run(io, s.create("/blob", blob)).has_value());
    BOOST_TEST(run(io, s.get("/blob"))->data == blob);
    BOOST_TEST(run(io, s.remove("/blob")).has_value());
    BOOST_TEST(run(io, s.close()).has_value());
}

BOOST_AUTO_TEST_CASE(sequential_nodes_get_a_suffix)
{
    BOOST_TEST_REQUIRE(test::zookeeper_available());
    boost::asio::io_context io;
    zk::session s(io.get_executor(), options());
    BOOST_TEST_REQUIRE(run(io, s.connect()).has_value());
    BOOST_TEST_REQUIRE(run(io, s.create("/seq", "")).has_value());
    auto a = run(io, s.create("/seq/n-", "", jute::create_mode::persistent_sequential));
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(*a == "/seq/n-0000000000");
    BOOST_TEST(run(io, s.remove(*a)).has_value());
    BOOST_TEST(run(io, s.remove("/seq")).has_value());
    BOOST_TEST(run(io, s.close()).has_value());
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_matched_by_xid)
{
    BOOST_TEST_REQUIRE(test::zookeeper_available());
    boost::asio::io_context io;
    zk::session s(io.get_executor(), options());
    BOOST_TEST_REQUIRE(run(io, s.connect()).has_value());
    BOOST_TEST_REQUIRE(run(io, s.create("/pipe", "")).has_value());
    constexpr int n = 40;
    for (int i = 0; i < n; ++i)
        BOOST_TEST_REQUIRE(run(io, s.create("/pipe/" + std::to_string(i), "v" + std::to_string(i))).has_value());

    // All gets are in flight at once; each must receive its own node's data.
    std::vector<std::optional<result<zk::node>>> got(n);
    int done = 0;
    for (int i = 0; i < n; ++i)
        boost::asio::co_spawn(io, s.get("/pipe/" + std::to_string(i)), [&, i](std::exception_ptr e, result<zk::node> r) {
            if (e) std::rethrow_exception(e);
            got[static_cast<std::size_t>(i)] = std::move(r);
            ++done;
        });
    io.restart();
    while (done < n && io.run_one_for(5s) > 0) {
    }
    BOOST_TEST_REQUIRE(done == n);
    for (int i = 0; i < n; ++i) {
        const auto& r = got[static_cast<std::size_t>(i)];
        BOOST_TEST_REQUIRE(r->has_value());
        BOOST_TEST((*r)->data == "v" + std::to_string(i));
    }
    for (int i = 0; i < n; ++i) BOOST_TEST(run(io, s.remove("/pipe/" + std::to_string(i))).has_value());
    BOOST_TEST(run(io, s.remove("/pipe")).has_value());
    BOOST_TEST(run(io, s.close()).has_value());
}

BOOST_AUTO_TEST_CASE(ephemeral_nodes_vanish_with_the_session)
{
    BOOST_TEST_REQUIRE(test::zookeeper_available());
    boost::asio::io_context io;
    zk::session a(io.get_executor(), options());
    zk::session b(io.get_executor(), options());
    BOOST_TEST_REQUIRE(run(io, a.connect()).has_value());
    BOOST_TEST_REQUIRE(run(io, b.connect()).has_value());
    BOOST_TEST_REQUIRE(run(io, a.create("/eph", "a", jute::create_mode::ephemeral)).has_value());
    auto st = run(io, b.exists("/eph"));
    BOOST_TEST_REQUIRE(st.has_value());
    BOOST_TEST_REQUIRE(st->has_value());
    BOOST_TEST((*st)->ephemeral_owner == a.session_id());
    // Ephemeral nodes have no children.
    BOOST_TEST((run(io, a.create("/eph/kid", "")).error() == zk::error::no_children_for_ephemerals));

    BOOST_TEST_REQUIRE(run(io, a.close()).has_value());
    BOOST_TEST((a.state() == zk::session_state::idle));
    // closeSession is committed before its reply: the node is already gone.
    auto after = run(io, b.exists("/eph"));
    BOOST_TEST_REQUIRE(after.has_value());
    BOOST_TEST(!after->has_value());
    // A closed session issues nothing.
    auto closed = run(io, a.get("/"));
    BOOST_TEST((closed.error() == zk::error::not_connected));
    BOOST_TEST((closed.error() == condition::unavailable));
    BOOST_TEST(run(io, b.close()).has_value());
}

BOOST_AUTO_TEST_CASE(data_watch_fires_once_on_change)
{
    BOOST_TEST_REQUIRE(test::zookeeper_available());
    boost::asio::io_context io;
    zk::session a(io.get_executor(), options());
    zk::session b(io.get_executor(), options());
    BOOST_TEST_REQUIRE(run(io, a.connect()).has_value());
    BOOST_TEST_REQUIRE(run(io, b.connect()).has_value());
    BOOST_TEST_REQUIRE(run(io, a.create("/watched", "1")).has_value());
    BOOST_TEST_REQUIRE(run(io, b.get("/watched", true)).has_value());
    BOOST_TEST_REQUIRE(run(io, a.set("/watched", "2")).has_value());
    auto ev = run(io, await_event(b, jute::event_type::node_data_changed, "/watched", 5s));
    BOOST_TEST_REQUIRE(ev.has_value(), ev.error().message());
    BOOST_TEST((ev->state == jute::keeper_state::sync_connected));

    // One-shot: a second change without re-arming is not reported, while a
    // re-armed exists() watch reports the deletion.
    BOOST_TEST_REQUIRE(run(io, a.set("/watched", "3")).has_value());
    BOOST_TEST_REQUIRE(run(io, b.exists("/watched", true)).has_value());
    BOOST_TEST_REQUIRE(run(io, a.remove("/watched")).has_value());
    auto del = run(io, b.next_event(5s));
    BOOST_TEST_REQUIRE(del.has_value());
    BOOST_TEST((del->type == jute::event_type::node_deleted));
    BOOST_TEST(del->path == "/watched");

    // A child watch.
    BOOST_TEST_REQUIRE(run(io, a.create("/parent", "")).has_value());
    BOOST_TEST_REQUIRE(run(io, b.get_children("/parent", true)).has_value());
    BOOST_TEST_REQUIRE(run(io, a.create("/parent/c", "")).has_value());
    auto ch = run(io, await_event(b, jute::event_type::node_children_changed, "/parent", 5s));
    BOOST_TEST(ch.has_value());
    BOOST_TEST(run(io, a.remove("/parent/c")).has_value());
    BOOST_TEST(run(io, a.remove("/parent")).has_value());
    BOOST_TEST(run(io, a.close()).has_value());
    BOOST_TEST(run(io, b.close()).has_value());
}

BOOST_AUTO_TEST_CASE(dropped_connection_resumes_the_session)
{
    BOOST_TEST_REQUIRE(test::zookeeper_available());
    boost::asio::io_context io;
    zk::session a(io.get_executor(), options(4000ms));
    BOOST_TEST_REQUIRE(run(io, a.connect()).has_value());
    BOOST_TEST_REQUIRE(run(io, a.create("/resume", "", jute::create_mode::ephemeral)).has_value());
    const auto id = a.session_id();
    a.drop_connection();
    BOOST_TEST((a.state() == zk::session_state::disconnected));
    BOOST_TEST((run(io, a.get("/resume")).error() == zk::error::not_connected));
    auto r = run(io, a.connect());
    BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
    BOOST_TEST(a.session_id() == id);
    auto st = run(io, a.exists("/resume"));
    BOOST_TEST_REQUIRE(st.has_value());
    BOOST_TEST_REQUIRE(st->has_value());
    BOOST_TEST((*st)->ephemeral_owner == id);
    BOOST_TEST(run(io, a.close()).has_value());
}

BOOST_AUTO_TEST_CASE(session_expiry_is_reported)
{
    BOOST_TEST_REQUIRE(test::zookeeper_available());
    boost::asio::io_context io;
    zk::session a(io.get_executor(), options(1000ms));
    zk::session b(io.get_executor(), options());
    BOOST_TEST_REQUIRE(run(io, a.connect()).has_value());
    BOOST_TEST_REQUIRE(run(io, b.connect()).has_value());
    BOOST_TEST_REQUIRE(run(io, a.create("/expiring", "", jute::create_mode::ephemeral)).has_value());
    BOOST_TEST_REQUIRE(run(io, b.exists("/expiring", true)).has_value());
    const auto old_id = a.session_id();

    a.drop_connection();   // no pings any more: the server expires the session
    auto del = run(io, await_event(b, jute::event_type::node_deleted, "/expiring", 10s));
    BOOST_TEST_REQUIRE(del.has_value(), del.error().message());

    auto r = run(io, a.connect());
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == zk::error::session_expired));
    BOOST_TEST((r.error() == condition::unavailable));
    BOOST_TEST((a.state() == zk::session_state::expired));
    BOOST_TEST(run(io, await_state(a, jute::keeper_state::expired, 1s)).has_value());

    // The next connect starts a fresh session.
    BOOST_TEST_REQUIRE(run(io, a.connect()).has_value());
    BOOST_TEST(a.session_id() != old_id);
    BOOST_TEST(a.session_id() != 0);
    BOOST_TEST(run(io, a.close()).has_value());
    BOOST_TEST(run(io, b.close()).has_value());
}

BOOST_AUTO_TEST_CASE(silent_server_fails_requests_with_connection_loss)
{
    BOOST_TEST_REQUIRE(test::zookeeper_available());
    boost::asio::io_context io;
    zk::session a(io.get_executor(), options(1000ms));
    BOOST_TEST_REQUIRE(run(io, a.connect()).has_value());
    run(io, a.next_event(1s)).value();   // sync_connected
    server().pause();
    // Nothing comes back: after 2/3 of the timeout the connection is declared dead.
    auto r = run(io, a.get("/"));
    server().resume();
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == zk::error::connection_loss));
    BOOST_TEST((a.state() == zk::session_state::disconnected));
    BOOST_TEST(run(io, await_state(a, jute::keeper_state::disconnected, 1s)).has_value());
}

BOOST_AUTO_TEST_CASE(unreachable_endpoint_is_connection_loss)
{
    BOOST_TEST_REQUIRE(test::zookeeper_available());
    boost::asio::io_context io;
    auto o = options();
    o.port = test::free_port();
    zk::session a(io.get_executor(), o);
    auto r = run(io, a.connect());
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == zk::error::connection_loss));
    o.host = "not-an-address";
    zk::session bad(io.get_executor(), o);
    BOOST_TEST((run(io, bad.connect()).error() == zk::error::bad_config));
}

BOOST_AUTO_TEST_SUITE_END()
