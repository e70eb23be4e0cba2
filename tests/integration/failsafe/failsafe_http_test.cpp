// Goal: the failsafe POST between two daemons over real HTTP (ha-loop.md 17,
// rest-api.md 8.10, 9): the sender (apps/common/failsafe_client.hpp) POSTs
// to `<api base>/failsafe` of every target in parallel and reports "all
// accepted" only when every one answered 200 `Accepted`; the receiver path
// (router -> failsafe_command -> api::failsafe_receiver) remembers the leader
// and sends the `lsn` header. A primary (500), a member that requires REST
// authentication we do not send (401), a port where nobody listens and a
// member that never answers (timeout) each make the result false.
// Method: api::server instances on 127.0.0.1 port 0 on one io_context, with
// the executor the daemon uses for failsafe_command; the sender runs as a
// coroutine on the same io_context; every run has a deadline.
#include "unit/api/view_fixture.hpp"

#include "common/failsafe_client.hpp"

#include <pgwarden/api/failsafe.hpp>
#include <pgwarden/api/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <optional>

using namespace pgwarden;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// One member's REST API answering POST /failsafe as the daemon does.
struct member_api {
    api::failsafe_receiver receiver;
    bool running_primary = false;
    std::shared_ptr<const api::router> current;
    std::unique_ptr<api::server<>> srv;
    std::uint16_t port = 0;

    member_api(asio::io_context& io, api::api_view v)
    {
        v.failsafe_mode = true;
        current = std::make_shared<api::router>(v);
        srv = std::make_unique<api::server<>>(
            io.get_executor(), [this] { return current; },
            [] { return api::clock_reading{api::test::t0(), api::test::wall0()}; },
            [this](api::command cmd, api::response prelim, std::shared_ptr<const api::router>) -> task<api::response> {
                if (auto* f = std::get_if<api::failsafe_command>(&cmd))
                    co_return receiver.accept(f->body_json, running_primary, lsn{0x4000000}, api::test::t0(), 30s);
                co_return prelim;
            });
        auto r = srv->listen(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        BOOST_REQUIRE(r);
        port = srv->local_endpoint().port();
        srv->start();
    }
    std::string api_url() const { return "http://127.0.0.1:" + std::to_string(port) + "/patroni"; }
    const api::failsafe_post* leader() const { return receiver.leader(api::test::t0(), 30s); }
};

std::string body()
{
    api::failsafe_post p;
    p.name = "leader1";
    p.conn_url = "postgres://127.0.0.1:5432/postgres";
    p.api_url = "http://127.0.0.1:8008/patroni";
    p.slots.emplace();
    p.slots->emplace_back("leader1", lsn{0x5000000});
    return api::encode_failsafe_post(p);
}

/// Runs post_failsafe_all to completion (deadline 15 s) and returns its answer.
bool post_all(asio::io_context& io, std::vector<std::pair<std::string, std::string>> targets,
              apps::failsafe_client_options opts = {})
{
    std::optional<bool> all;
    asio::co_spawn(io, apps::post_failsafe_all(std::move(targets), body(), std::move(opts)),
                   [&](std::exception_ptr e, bool ok) {
                       BOOST_REQUIRE(!e);
                       all = ok;
                   });
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (!all && std::chrono::steady_clock::now() < deadline) io.run_one_for(100ms);
    BOOST_REQUIRE(all.has_value());
    return *all;
}

/// A port that was free a moment ago: nobody listens there.
std::uint16_t closed_port(asio::io_context& io)
{
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

} // namespace

BOOST_AUTO_TEST_SUITE(failsafe_http)

BOOST_AUTO_TEST_CASE(all_replicas_accept_and_remember_the_leader)
{
    asio::io_context io;
    member_api a(io, api::test::replica_view()), b(io, api::test::replica_view());
    std::vector<std::string> lines;
    apps::failsafe_client_options opts;
    opts.log = [&](bool, const std::string& t) { lines.push_back(t); };
    BOOST_TEST(post_all(io, {{"a", a.api_url()}, {"b", b.api_url()}}, opts));
    for (const auto* m : {&a, &b}) {
        const auto* l = m->leader();
        BOOST_REQUIRE(l != nullptr);
        BOOST_TEST(l->name == "leader1");
        BOOST_TEST(l->conn_url == "postgres://127.0.0.1:5432/postgres");
        BOOST_REQUIRE(l->slots.has_value());
        BOOST_TEST(l->slots->front().second.value == 0x5000000u);
    }
    BOOST_TEST(lines.size() == 2u);
    for (const auto& t : lines) BOOST_TEST(t.find(": Accepted") != std::string::npos, t);
    // No targets: a single-member topology, nothing to ask.
    BOOST_TEST(post_all(io, {}));
}

BOOST_AUTO_TEST_CASE(a_primary_refuses)
{
    asio::io_context io;
    member_api a(io, api::test::replica_view()), p(io, api::test::primary_view());
    p.running_primary = true;
    BOOST_TEST(!post_all(io, {{"a", a.api_url()}, {"p", p.api_url()}}));
    BOOST_TEST(a.leader() != nullptr);
    BOOST_TEST(p.leader() == nullptr);
}

BOOST_AUTO_TEST_CASE(authentication_is_sent_when_configured)
{
    asio::io_context io;
    auto v = api::test::replica_view();
    v.restapi.auth_key = "YWRtaW46c2VjcmV0";   // admin:secret
    member_api a(io, v);
    BOOST_TEST(!post_all(io, {{"a", a.api_url()}}));
    BOOST_TEST(a.leader() == nullptr);
    apps::failsafe_client_options opts;
    opts.basic_auth.emplace("admin", "secret");
    BOOST_TEST(post_all(io, {{"a", a.api_url()}}, opts));
    BOOST_TEST(a.leader() != nullptr);
}

BOOST_AUTO_TEST_CASE(unreachable_and_silent_members_are_not_acceptance)
{
    asio::io_context io;
    member_api a(io, api::test::replica_view());
    const auto closed = closed_port(io);
    BOOST_TEST(!post_all(io, {{"a", a.api_url()}, {"gone", "http://127.0.0.1:" + std::to_string(closed) + "/patroni"}}));
    BOOST_TEST(!post_all(io, {{"bad", "not a url"}}));

    // A member that accepts the connection but never answers: 2 attempts of `timeout` each.
    tcp::acceptor silent(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    std::vector<std::shared_ptr<tcp::socket>> held;
    std::function<void()> accept_next = [&] {
        auto s = std::make_shared<tcp::socket>(io);
        silent.async_accept(*s, [&, s](boost::system::error_code ec) {
            if (ec) return;
            held.push_back(s);
            accept_next();
        });
    };
    accept_next();
    apps::failsafe_client_options opts;
    opts.timeout = 300ms;
    const auto t0 = std::chrono::steady_clock::now();
    BOOST_TEST(!post_all(io, {{"a", a.api_url()}, {"silent", "http://127.0.0.1:" +
                                                              std::to_string(silent.local_endpoint().port()) + "/patroni"}},
                         opts));
    const auto took = std::chrono::steady_clock::now() - t0;
    BOOST_TEST(held.size() == 2u);   // one retry
    BOOST_TEST((took >= 600ms && took < 5s));
}

BOOST_AUTO_TEST_SUITE_END()
