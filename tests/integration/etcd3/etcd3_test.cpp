// Goal: dcs::etcd3::client keeps Patroni's contract against a real etcd 3.4:
// leader races have one winner, leases expire the leader key, the watch
// wakes a waiting replica at once on change or expiry, compare-and-set
// writes lose against stale versions, member keys round-trip, an unreachable
// etcd becomes condition::unavailable within retry_timeout, and what we write
// is what Python Patroni writes (checked with etcdctl). Method: a fresh etcd
// per fixture on free ports (tests/support/etcd.hpp), clients on one
// io_context; waits are bounded polls or awaited events, and every timing
// assertion has a bound well below the timeout it races against.
#include "support/run_task.hpp"
#include "support/etcd.hpp"

#include <pgwarden/clock/steady_source.hpp>
#include <pgwarden/dcs/codec.hpp>
#include <pgwarden/dcs/etcd3/client.hpp>
#include <pgwarden/http/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>

using namespace pgwarden;
namespace asio = boost::asio;
namespace etcd3 = pgwarden::dcs::etcd3;
using namespace std::chrono_literals;

namespace {

template <class T>
T run(asio::io_context& io, task<T> t)
{
    return pgwarden::test::run_task(io, std::move(t));
}

using pgwarden::test::timer_wait;

struct fixture {
    test::etcd_server etcd;
    asio::io_context io;
    clock::steady_source clock;

    etcd3::config config_for(const std::string& name, std::chrono::seconds retry = 3s) const
    {
        etcd3::config c;
        c.scope = "demo";
        c.namespace_name = "/service/";
        c.name = name;
        c.ttl = 30s;
        c.loop_wait = 10s;
        c.retry_timeout = retry;
        c.hosts = {etcd.host_port()};
        return c;
    }

    etcd3::client make(const std::string& name, std::chrono::seconds retry = 3s)
    {
        auto c = etcd3::client::create(io.get_executor(), config_for(name, retry));
        BOOST_REQUIRE(c.has_value());
        auto started = run(io, c->start());
        BOOST_REQUIRE_MESSAGE(started.has_value(), started.error().message());
        return std::move(*c);
    }

    std::string get(const std::string& key) const
    {
        std::string out;
        BOOST_REQUIRE(etcd.etcdctl({"get", key, "--print-value-only"}, &out) == 0);
        while (!out.empty() && out.back() == '\n') out.pop_back();
        return out;
    }
};

dcs::member_data sample_member()
{
    dcs::member_data m;
    m.conn_url = "postgres://127.0.0.1:5432/postgres";
    m.api_url = "http://127.0.0.1:8008/patroni";
    m.state = "running";
    m.role = "replica";
    m.version = "4.1.4";
    m.xlog_location = lsn{50331744};
    m.timeline = 1;
    return m;
}

} // namespace

BOOST_AUTO_TEST_SUITE(etcd3_integration, *boost::unit_test::precondition([](auto) {
                          return test::etcd_available();
                      }))

BOOST_FIXTURE_TEST_CASE(leader_race_has_one_winner, fixture)
{
    auto a = make("node1");
    auto b = make("node2");
    const dcs::leader_claim ca{"node1", 30s}, cb{"node2", 30s};
    std::optional<result<bool>> ra, rb;
    asio::co_spawn(io, [&]() -> task<void> { ra = co_await a.acquire_leader(ca); }, asio::detached);
    asio::co_spawn(io, [&]() -> task<void> { rb = co_await b.acquire_leader(cb); }, asio::detached);
    io.restart();
    io.run();
    BOOST_TEST_REQUIRE((ra && ra->has_value() && rb && rb->has_value()));
    BOOST_TEST((**ra != **rb));   // exactly one won
    auto& winner = **ra ? a : b;
    auto& loser = **ra ? b : a;
    const auto& wclaim = **ra ? ca : cb;
    const auto& lclaim = **ra ? cb : ca;

    auto snap = run(io, loser.load_cluster());
    BOOST_TEST_REQUIRE(snap.has_value());
    BOOST_TEST_REQUIRE(snap->leader.has_value());
    BOOST_TEST(snap->leader->name == wclaim.name);
    BOOST_TEST(snap->leader->session == std::to_string(winner.lease_id()));
    BOOST_TEST(get("/service/demo/leader") == wclaim.name);   // plain name, as Patroni writes

    BOOST_TEST(run(io, loser.acquire_leader(lclaim)).value() == false);
    BOOST_TEST(run(io, loser.renew_leader(lclaim, snap->leader->version)).value() == false);
    BOOST_TEST(run(io, loser.release_leader(snap->leader->version)).value() == false);
    (void)run(io, winner.load_cluster());
    BOOST_TEST(run(io, winner.renew_leader(wclaim, snap->leader->version)).value() == true);
    BOOST_TEST(run(io, winner.release_leader(snap->leader->version)).value() == true);
    auto after = run(io, loser.load_cluster());
    BOOST_TEST_REQUIRE(after.has_value());
    BOOST_TEST(!after->leader.has_value());
    BOOST_TEST(run(io, loser.acquire_leader(lclaim)).value() == true);
}

BOOST_FIXTURE_TEST_CASE(renew_rewrites_key_after_lease_regrant, fixture)
{
    auto a = make("node1");
    const dcs::leader_claim claim{"node1", 30s};
    BOOST_TEST(run(io, a.acquire_leader(claim)).value());
    auto snap = run(io, a.load_cluster());
    const auto old_lease = a.lease_id();
    // Revoking the lease drops the leader key; renew must take it again on a new lease.
    BOOST_TEST(run(io, a.revoke_lease()).has_value());
    BOOST_TEST(run(io, a.renew_leader(claim, snap->leader->version)).value() == true);
    BOOST_TEST(a.lease_id() != old_lease);
    auto again = run(io, a.load_cluster());
    BOOST_TEST_REQUIRE(again->leader.has_value());
    BOOST_TEST(again->leader->session == std::to_string(a.lease_id()));
}

BOOST_FIXTURE_TEST_CASE(lease_expiry_removes_leader_and_wakes_watch, fixture)
{
    auto a = make("node1");
    auto b = make("node2");
    const dcs::leader_claim claim{"node1", 3s};   // near etcd's minimum lease TTL
    BOOST_TEST_REQUIRE(run(io, a.acquire_leader(claim)).value());
    auto snap = run(io, b.load_cluster());
    BOOST_TEST_REQUIRE(snap->leader.has_value());
    // b waits as a replica; a stops renewing. The watch must wake on expiry,
    // long before the 30 s timeout.
    const auto t0 = clock.now();
    auto woke = run(io, b.wait_for_change(snap->leader->version, 30s));
    const auto waited = clock.now() - t0;
    BOOST_TEST_REQUIRE(woke.has_value());
    BOOST_TEST(*woke);
    BOOST_TEST(waited < 10s);
    auto after = run(io, b.load_cluster());
    BOOST_TEST(!after->leader.has_value());   // leader empty iff key absent
}

BOOST_FIXTURE_TEST_CASE(watch_wakes_at_once_on_release, fixture)
{
    auto a = make("node1");
    auto b = make("node2");
    const dcs::leader_claim claim{"node1", 30s};
    BOOST_TEST_REQUIRE(run(io, a.acquire_leader(claim)).value());
    auto snap = run(io, b.load_cluster());
    std::optional<result<bool>> woke;
    mono_time woke_at{}, released_at{};
    asio::co_spawn(io, [&]() -> task<void> {
        woke = co_await b.wait_for_change(snap->leader->version, 20s);
        woke_at = clock.now();
    }, asio::detached);
    asio::co_spawn(io, [&]() -> task<void> {
        co_await timer_wait(500ms);
        released_at = clock.now();
        (void)co_await a.release_leader(snap->leader->version);   // checked through the snapshot below
    }, asio::detached);
    io.restart();
    io.run();
    BOOST_TEST_REQUIRE((woke && woke->has_value()));
    BOOST_TEST(**woke);
    BOOST_TEST((woke_at - released_at < 2s));
    BOOST_TEST(!run(io, b.load_cluster())->leader.has_value());
}

BOOST_FIXTURE_TEST_CASE(watch_times_out_without_relevant_change, fixture)
{
    auto a = make("node1");
    auto b = make("node2");
    BOOST_TEST_REQUIRE(run(io, a.acquire_leader({"node1", 30s})).value());
    auto snap = run(io, b.load_cluster());
    BOOST_TEST(run(io, a.publish_member(sample_member())).has_value());   // member writes do not wake
    const auto t0 = clock.now();
    auto woke = run(io, b.wait_for_change(snap->leader->version, 1500ms));
    const auto waited = clock.now() - t0;
    BOOST_TEST_REQUIRE(woke.has_value());
    BOOST_TEST(!*woke);
    BOOST_TEST(waited >= 1400ms);
    BOOST_TEST(waited < 4s);
    // v == 0: a plain sleep.
    auto slept = run(io, b.wait_for_change(0, 200ms));
    BOOST_TEST(!slept.value());
}

BOOST_FIXTURE_TEST_CASE(cas_writes_lose_against_stale_versions, fixture)
{
    auto a = make("node1");
    BOOST_TEST(run(io, a.write_config(R"({"ttl":30})", 0)).value());
    auto s1 = run(io, a.load_cluster());
    BOOST_TEST_REQUIRE(s1->config.has_value());
    const auto v1 = s1->config->version;
    BOOST_TEST(run(io, a.write_config(R"({"ttl":40})", v1)).value() == true);
    BOOST_TEST(run(io, a.write_config(R"({"ttl":50})", v1)).value() == false);   // stale
    BOOST_TEST(get("/service/demo/config") == R"({"ttl":40})");

    dcs::sync_record sync;
    sync.leader = "node1";
    sync.sync_standby = {"node2"};
    BOOST_TEST(run(io, a.write_sync(sync, 0)).value());
    auto s2 = run(io, a.load_cluster());
    BOOST_TEST_REQUIRE(s2->sync.has_value());
    BOOST_TEST(s2->sync->leader == "node1");
    BOOST_TEST(a.last_write_revision() == s2->sync->version);
    BOOST_TEST(run(io, a.delete_sync(s2->sync->version + 1000)).value() == false);
    BOOST_TEST(run(io, a.write_sync(sync, s2->sync->version)).value() == true);
    BOOST_TEST(run(io, a.delete_sync(s2->sync->version)).value() == false);   // moved on
    BOOST_TEST(run(io, a.delete_sync(a.last_write_revision())).value() == true);

    dcs::failover_record fo;
    fo.leader = "node1";
    fo.member = "node2";
    BOOST_TEST(run(io, a.write_failover(fo, 0)).value());
    auto s3 = run(io, a.load_cluster());
    BOOST_TEST_REQUIRE(s3->failover.has_value());
    BOOST_TEST(s3->failover->member == "node2");
    BOOST_TEST(run(io, a.write_failover({}, s3->failover->version)).value());
    BOOST_TEST(run(io, a.write_failover({}, s3->failover->version)).value() == false);
    BOOST_TEST(get("/service/demo/failover") == "{}");

    BOOST_TEST(run(io, a.try_initialize("7000000000000000001")).value() == true);
    BOOST_TEST(run(io, a.try_initialize("7000000000000000002")).value() == false);
    BOOST_TEST(get("/service/demo/initialize") == "7000000000000000001");
    BOOST_TEST(run(io, a.cancel_initialize()).has_value());
    BOOST_TEST(!run(io, a.load_cluster())->initialize.has_value());
}

BOOST_FIXTURE_TEST_CASE(member_round_trip_and_wire_interop, fixture)
{
    auto a = make("node1");
    const auto m = sample_member();
    BOOST_TEST_REQUIRE(run(io, a.publish_member(m)).has_value());
    auto snap = run(io, a.load_cluster());
    BOOST_TEST_REQUIRE(snap.has_value());
    const auto* me = snap->find_member("node1");
    BOOST_TEST_REQUIRE(me != nullptr);
    BOOST_TEST(me->session == std::to_string(a.lease_id()));
    BOOST_TEST(me->data.api_url == m.api_url);
    BOOST_TEST(me->data.xlog_location.value_or(lsn{}).value == 50331744u);
    // What etcdctl reads is exactly Patroni's compact JSON.
    BOOST_TEST(get("/service/demo/members/node1") ==
               R"({"conn_url":"postgres://127.0.0.1:5432/postgres","api_url":"http://127.0.0.1:8008/patroni",)"
               R"("state":"running","role":"replica","version":"4.1.4","xlog_location":50331744,"timeline":1})");

    // Keys written the way Python Patroni 3.0.2 writes them read back.
    std::string out;
    BOOST_TEST_REQUIRE(etcd.etcdctl({"lease", "grant", "30"}, &out) == 0);
    const auto id = out.substr(out.find("lease ") + 6, out.find(' ', out.find("lease ") + 6) - out.find("lease ") - 6);
    BOOST_TEST_REQUIRE(etcd.etcdctl({"put", "--lease=" + id, "/service/demo/leader", "node3"}) == 0);
    BOOST_TEST_REQUIRE(etcd.etcdctl({"put", "--lease=" + id, "/service/demo/members/node3",
                                     R"({"conn_url":"postgres://10.0.0.3:5432/postgres","api_url":"http://10.0.0.3:8008/patroni","state":"running","role":"master","version":"3.0.2","xlog_location":1234,"timeline":2})"}) == 0);
    BOOST_TEST_REQUIRE(etcd.etcdctl({"put", "/service/demo/history", R"([[1,50331744,"no recovery target specified","2024-01-01T00:00:00.123456+00:00"]])"}) == 0);
    auto s2 = run(io, a.load_cluster());
    BOOST_TEST_REQUIRE(s2->leader.has_value());
    BOOST_TEST(s2->leader->name == "node3");
    BOOST_TEST(std::stoll(s2->leader->session, nullptr, 10) != 0);
    const auto* n3 = s2->find_member("node3");
    BOOST_TEST_REQUIRE(n3 != nullptr);
    BOOST_TEST(n3->data.role == "primary");
    BOOST_TEST(s2->timeline() == 2);
    // Our leader key must not be taken over while node3 holds it.
    BOOST_TEST(run(io, a.acquire_leader({"node1", 30s})).value() == false);
}

BOOST_FIXTURE_TEST_CASE(unreachable_etcd_is_unavailable_within_retry_timeout, fixture)
{
    auto a = make("node1", 3s);
    etcd.kill();
    const auto t0 = clock.now();
    auto snap = run(io, a.load_cluster());
    const auto took = clock.now() - t0;
    BOOST_TEST_REQUIRE(!snap.has_value());
    BOOST_TEST((snap.error() == condition::unavailable));
    BOOST_TEST(took < 5s);
    auto acq = run(io, a.acquire_leader({"node1", 30s}));
    BOOST_TEST_REQUIRE(!acq.has_value());
    BOOST_TEST((acq.error() == condition::unavailable));
    // It recovers when etcd is back.
    etcd.restart();
    BOOST_TEST(run(io, a.load_cluster()).has_value());
}

BOOST_FIXTURE_TEST_CASE(hung_etcd_is_unavailable_within_bound, fixture)
{
    auto a = make("node1", 3s);
    etcd.pause();
    const auto t0 = clock.now();
    auto snap = run(io, a.load_cluster());
    const auto took = clock.now() - t0;
    etcd.resume();
    BOOST_TEST_REQUIRE(!snap.has_value());
    BOOST_TEST((snap.error() == condition::unavailable));
    BOOST_TEST(took < 6s);   // retry_timeout plus at most one request timeout
}

BOOST_FIXTURE_TEST_CASE(http_client_fails_over_and_streams, fixture)
{
    // The first endpoint refuses connections; the client moves to etcd.
    http::client_options o;
    o.endpoints = {http::endpoint{"http", "127.0.0.1", test::free_port()},
                   http::endpoint{"http", "127.0.0.1", etcd.client_port()}};
    auto c = http::client::create(io.get_executor(), o);
    BOOST_TEST_REQUIRE(c.has_value());
    http::request r;
    r.target = "/version";
    auto v = run(io, c->send(r));
    BOOST_TEST_REQUIRE(v.has_value());
    BOOST_TEST(v->status == 200u);
    BOOST_TEST(v->body.find("etcdserver") != std::string::npos);
    BOOST_TEST(c->current_endpoint().port == etcd.client_port());
    // Keep-alive: a second request on the same client works too.
    auto v2 = run(io, c->send(r));
    BOOST_TEST(v2.has_value());

    // Streaming: a watch delivers its "created" line as it arrives.
    http::request w;
    w.verb = http::method::post;
    w.target = "/v3/watch";
    w.content_type = "application/json";
    w.body = R"({"create_request":{"key":"eA=="}})";
    auto line = run(io, [&]() -> task<result<std::string>> {
        auto s = co_await c->open_stream(w);
        if (!s) co_return s.error();
        s->expires_after(5s);
        co_return co_await s->next_line();
    }());
    BOOST_TEST_REQUIRE(line.has_value());
    BOOST_TEST(line->find("\"created\":true") != std::string::npos);

    // A stream with nothing to say times out at its deadline.
    auto quiet = run(io, [&]() -> task<result<std::string>> {
        auto s = co_await c->open_stream(w);
        if (!s) co_return s.error();
        s->expires_after(5s);
        (void)co_await s->next_line();   // the "created" line
        s->expires_after(300ms);
        co_return co_await s->next_line();
    }());
    BOOST_TEST_REQUIRE(!quiet.has_value());
    BOOST_TEST((quiet.error() == condition::timeout));
}

BOOST_FIXTURE_TEST_CASE(authentication_with_token, fixture)
{
    BOOST_TEST_REQUIRE(etcd.etcdctl({"user", "add", "root:rootpw"}) == 0);
    BOOST_TEST_REQUIRE(etcd.etcdctl({"auth", "enable"}) == 0);
    auto cfg = config_for("node1");
    cfg.username = std::string("root");
    cfg.password = std::string("rootpw");
    auto c = etcd3::client::create(io.get_executor(), cfg);
    BOOST_TEST_REQUIRE(c.has_value());
    auto started = run(io, c->start());
    BOOST_TEST_REQUIRE(started.has_value());
    BOOST_TEST(run(io, c->acquire_leader({"node1", 30s})).value());
    auto snap = run(io, c->load_cluster());
    BOOST_TEST_REQUIRE(snap.has_value());
    BOOST_TEST(snap->leader->name == "node1");

    auto bad_cfg = config_for("node2");
    bad_cfg.username = std::string("root");
    bad_cfg.password = std::string("wrong");
    auto bad = etcd3::client::create(io.get_executor(), bad_cfg);
    auto refused = run(io, bad->start());
    BOOST_TEST_REQUIRE(!refused.has_value());
    BOOST_TEST((refused.error() == condition::unauthorized));
    // Without credentials the reads are refused, not reported as unreachable.
    auto anon = etcd3::client::create(io.get_executor(), config_for("node3"));
    auto denied = run(io, anon->load_cluster());
    BOOST_TEST_REQUIRE(!denied.has_value());
    BOOST_TEST((denied.error() == condition::unauthorized));
}

BOOST_AUTO_TEST_SUITE_END()
