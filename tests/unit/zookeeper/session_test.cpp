// Goal: the session survives a hostile or broken peer: an oversized frame, a
// reply with an unknown xid, or a truncated reply drops the connection and
// fails the outstanding request with an error (never a crash or a hang),
// and out-of-order replies still reach the right callers (matching by xid).
// Method: a fake ZooKeeper on 127.0.0.1 (an Asio acceptor in the same
// io_context) answers the handshake with jute encoders, then plays a
// scripted reply to the requests it reads.
#include "support/run_task.hpp"

#include <pgwarden/dcs/zookeeper/session.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>

using namespace pgwarden;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace zk = pgwarden::dcs::zookeeper;
namespace jute = pgwarden::dcs::zookeeper::jute;
using asio::ip::tcp;
using pgwarden::test::run_task;

namespace {

/// Reads one framed request; returns its payload.
task<std::string> read_request(tcp::socket& s)
{
    char prefix[4];
    co_await asio::async_read(s, asio::buffer(prefix), asio::use_awaitable);
    const auto n = jute::frame_length(std::string_view(prefix, 4)).value();
    std::string payload(n, '\0');
    co_await asio::async_read(s, asio::buffer(payload), asio::use_awaitable);
    co_return payload;
}

std::int32_t xid_of(const std::string& payload)
{
    jute::reader r(payload);
    return r.int32();
}

/// What the fake server does once the handshake is done: gets the socket
/// and must send whatever the case needs.
using script = std::function<task<void>(tcp::socket&)>;

struct fake_server {
    explicit fake_server(asio::io_context& io) : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
    unsigned short port() const { return acceptor.local_endpoint().port(); }

    void serve(script play)
    {
        asio::co_spawn(
            acceptor.get_executor(),
            [this, play]() -> task<void> {
                tcp::socket s = co_await acceptor.async_accept(asio::use_awaitable);
                const std::string hello = co_await read_request(s);
                const auto req = jute::decode_connect_request(hello).value();
                const std::string resp =
                    jute::encode(jute::connect_response{0, req.timeout_ms, 0x42, std::string(16, 'p'), false});
                co_await asio::async_write(s, asio::buffer(resp), asio::use_awaitable);
                co_await play(s);
                // Keep the socket open until the client hangs up.
                char sink[64];
                boost::system::error_code ec;
                for (;;) {
                    co_await s.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
                    if (ec) break;
                }
            },
            asio::detached);
    }

    tcp::acceptor acceptor;
};

zk::session_options options(unsigned short port)
{
    zk::session_options o;
    o.port = port;
    o.session_timeout = 3000ms;
    o.connect_timeout = 2000ms;
    return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(zookeeper_session_fake)

BOOST_AUTO_TEST_CASE(oversized_frame_drops_the_connection)
{
    asio::io_context io;
    fake_server server(io);
    server.serve([](tcp::socket& s) -> task<void> {
        (void)co_await read_request(s);
        jute::writer w;
        w.int32(0x7fffffff);   // 2 GiB announced
        w.bytes().append("xx");
        co_await asio::async_write(s, asio::buffer(w.bytes()), asio::use_awaitable);
    });
    zk::session sess(io.get_executor(), options(server.port()));
    BOOST_TEST_REQUIRE(run_task(io, sess.connect()).has_value());
    BOOST_TEST(sess.session_id() == 0x42);
    auto r = run_task(io, sess.get("/x"));
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == zk::error::frame_too_large));
    BOOST_TEST((sess.state() == zk::session_state::disconnected));
}

BOOST_AUTO_TEST_CASE(unknown_xid_drops_the_connection)
{
    asio::io_context io;
    fake_server server(io);
    server.serve([](tcp::socket& s) -> task<void> {
        const auto req = co_await read_request(s);
        const std::string rep = jute::encode_reply({xid_of(req) + 1000, 5, 0}, "");
        co_await asio::async_write(s, asio::buffer(rep), asio::use_awaitable);
    });
    zk::session sess(io.get_executor(), options(server.port()));
    BOOST_TEST_REQUIRE(run_task(io, sess.connect()).has_value());
    auto r = run_task(io, sess.remove("/x"));
    BOOST_TEST((r.error() == zk::error::unexpected_reply));
    BOOST_TEST((r.error() == condition::invalid_response));
}

BOOST_AUTO_TEST_CASE(truncated_body_is_an_error)
{
    asio::io_context io;
    fake_server server(io);
    server.serve([](tcp::socket& s) -> task<void> {
        const auto req = co_await read_request(s);
        // A getData reply whose stat stops after 10 bytes.
        jute::writer body;
        body.buffer(std::string_view("data"));
        body.bytes().append(10, '\0');
        const std::string rep = jute::encode_reply({xid_of(req), 5, 0}, body.bytes());
        co_await asio::async_write(s, asio::buffer(rep), asio::use_awaitable);
    });
    zk::session sess(io.get_executor(), options(server.port()));
    BOOST_TEST_REQUIRE(run_task(io, sess.connect()).has_value());
    auto r = run_task(io, sess.get("/x"));
    BOOST_TEST((r.error() == zk::error::malformed_frame));
}

BOOST_AUTO_TEST_CASE(replies_out_of_order_reach_their_callers)
{
    asio::io_context io;
    fake_server server(io);
    server.serve([](tcp::socket& s) -> task<void> {
        const auto first = co_await read_request(s);
        const auto second = co_await read_request(s);
        // Answer the second request first, then an error for the first.
        jute::writer body;
        body.buffer(std::string_view("second"));
        body.stat({});
        const std::string a = jute::encode_reply({xid_of(second), 7, 0}, body.bytes());
        const std::string b = jute::encode_reply({xid_of(first), 8, -101}, "");
        co_await asio::async_write(s, asio::buffer(a + b), asio::use_awaitable);
    });
    zk::session sess(io.get_executor(), options(server.port()));
    BOOST_TEST_REQUIRE(run_task(io, sess.connect()).has_value());
    std::optional<result<zk::node>> r1, r2;
    asio::co_spawn(io, sess.get("/first"), [&](std::exception_ptr, result<zk::node> r) { r1 = std::move(r); });
    asio::co_spawn(io, sess.get("/second"), [&](std::exception_ptr, result<zk::node> r) { r2 = std::move(r); });
    io.restart();
    while (!(r1 && r2) && io.run_one_for(3s) > 0) {
    }
    BOOST_TEST_REQUIRE((r1 && r2));
    BOOST_TEST((r1->error() == zk::error::no_node));
    BOOST_TEST_REQUIRE(r2->has_value());
    BOOST_TEST((*r2)->data == "second");
    BOOST_TEST(sess.last_zxid() == 8);
}

BOOST_AUTO_TEST_SUITE_END()
