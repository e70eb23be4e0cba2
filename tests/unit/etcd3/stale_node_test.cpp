// Goal: the etcd3 client leaves a node whose answers carry a raft term
// lower than one already seen for the cluster (Patroni's StaleEtcdNodeGuard)
// and gets the answer from the next node, within one call. Method: two fake
// etcd gateways (Beast, 127.0.0.1, same io_context) answering /version and
// /v3/kv/range with a configurable raft term; the client uses them as
// proxies (no member discovery), and each server counts the ranges it served.
#include "support/run_task.hpp"
#include <pgwarden/dcs/etcd3/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>

using namespace pgwarden;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace etcd3 = pgwarden::dcs::etcd3;
using namespace std::chrono_literals;

namespace {

class fake_gateway {
public:
    explicit fake_gateway(asio::io_context& io)
        : acceptor_(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0))
    {
        asio::co_spawn(io, accept(), asio::detached);
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

    int raft_term = 5;
    int ranges = 0;

private:
    asio::awaitable<void> accept()
    {
        for (;;) {
            auto [ec, sock] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            asio::co_spawn(acceptor_.get_executor(), serve(std::move(sock)), asio::detached);
        }
    }

    asio::awaitable<void> serve(asio::ip::tcp::socket sock)
    {
        beast::flat_buffer buf;
        for (;;) {
            beast::http::request<beast::http::string_body> req;
            auto [ec, n] = co_await beast::http::async_read(sock, buf, req, asio::as_tuple(asio::use_awaitable));
            (void)n;
            if (ec) co_return;
            beast::http::response<beast::http::string_body> res{beast::http::status::ok, 11};
            res.set(beast::http::field::content_type, "application/json");
            if (req.target() == "/version") {
                res.body() = R"({"etcdserver":"3.4.23","etcdcluster":"3.4.0"})";
            } else if (req.target() == "/v3/kv/range") {
                ++ranges;
                res.body() = R"({"header":{"cluster_id":"42","member_id":"1","revision":"9","raft_term":")" +
                             std::to_string(raft_term) + R"("}})";
            } else {
                res.result(beast::http::status::not_found);
                res.body() = R"({"error":"not found","code":5,"message":"not found"})";
            }
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            auto [wec, w] = co_await beast::http::async_write(sock, res, asio::as_tuple(asio::use_awaitable));
            (void)w;
            if (wec) co_return;
        }
    }

    asio::ip::tcp::acceptor acceptor_;
};

template <class T>
T run(asio::io_context& io, task<T> t)
{
    return pgwarden::test::run_task(io, std::move(t));
}

} // namespace

BOOST_AUTO_TEST_SUITE(etcd3_stale_node)

BOOST_AUTO_TEST_CASE(lower_raft_term_switches_node)
{
    asio::io_context io;
    fake_gateway a(io), b(io);
    etcd3::config cfg;
    cfg.scope = "demo";
    cfg.name = "node1";
    cfg.retry_timeout = 2s;
    cfg.use_proxies = true;
    cfg.hosts = {"127.0.0.1:" + std::to_string(a.port()), "127.0.0.1:" + std::to_string(b.port())};
    auto c = etcd3::client::create(io.get_executor(), cfg);
    BOOST_TEST_REQUIRE(c.has_value());

    b.raft_term = 6;
    BOOST_TEST_REQUIRE(run(io, c->load_cluster()).has_value());
    BOOST_TEST(a.ranges == 1);
    BOOST_TEST(b.ranges == 0);

    a.raft_term = 3;   // a fell behind an election it did not see
    auto snap = run(io, c->load_cluster());
    BOOST_TEST_REQUIRE(snap.has_value());
    BOOST_TEST(a.ranges == 2);
    BOOST_TEST(b.ranges == 1);
    BOOST_TEST(c->stats().stale_node_switches == 1u);
    BOOST_TEST(c->endpoints().size() == 2u);
    BOOST_TEST_REQUIRE(run(io, c->load_cluster()).has_value());
    BOOST_TEST(b.ranges == 2);   // b stays current

    // Every node stale: unavailable within the retry budget, not a hang.
    b.raft_term = 2;
    auto stale = run(io, c->load_cluster());
    BOOST_TEST_REQUIRE(!stale.has_value());
    BOOST_TEST((stale.error() == condition::unavailable));
}

BOOST_AUTO_TEST_SUITE_END()
