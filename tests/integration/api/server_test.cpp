// Goal: the REST API server speaks HTTP like Patroni on a real socket:
// HTTP/1.0 answers byte for byte (status-only HEAD/OPTIONS, no
// Content-Length, closed connection), HTTP/1.1 keep-alive serves several
// requests on one connection, unsafe commands reach the executor, errors use
// CPython's error page, and stop() closes idle connections.
// Method: a server on 127.0.0.1 port 0 with a fixed view and a fixed clock;
// clients are coroutines on the same io_context that write raw requests and
// read raw bytes; each exchange runs the io_context until done or a deadline.
#include "unit/api/view_fixture.hpp"

#include <pgwarden/api/server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>

using namespace pgwarden;
using namespace pgwarden::api;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

struct fixture {
    asio::io_context ioc;
    std::shared_ptr<const router> current = std::make_shared<router>(test::primary_view());
    std::vector<command> executed;
    server<asio::any_io_executor> srv{
        ioc.get_executor(), [this] { return current; },
        [] { return clock_reading{test::t0(), test::wall0()}; },
        [this](command cmd, response prelim, std::shared_ptr<const router>) -> task<response> {
            executed.push_back(cmd);
            if (std::holds_alternative<switchover_command>(cmd))
                co_return text_response(200, "Successfully switched over to \"patroni2\"");
            co_return prelim;
        }};
    std::uint16_t port = 0;

    fixture()
    {
        auto r = srv.listen(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        BOOST_REQUIRE(r);
        port = srv.local_endpoint().port();
        srv.start();
    }

    /// Runs `body` as a client coroutine; fails the test after 10 s.
    template <class F>
    void run(F body)
    {
        bool done = false;
        asio::co_spawn(ioc, [&]() -> task<void> {
            co_await body();
            done = true;
        }, [](std::exception_ptr e) { if (e) std::rethrow_exception(e); });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
        while (!done && std::chrono::steady_clock::now() < deadline) ioc.run_one_for(std::chrono::milliseconds{100});
        BOOST_REQUIRE(done);
    }

    task<tcp::socket> connect()
    {
        tcp::socket s(ioc);
        co_await s.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), asio::use_awaitable);
        co_return s;
    }

    /// Sends `raw` on a new connection and reads until the server closes it.
    std::string exchange(std::string raw)
    {
        std::string out;
        run([&]() -> task<void> {
            auto s = co_await connect();
            co_await asio::async_write(s, asio::buffer(raw), asio::use_awaitable);
            auto [ec, n] = co_await asio::async_read(s, asio::dynamic_buffer(out), asio::as_tuple(asio::use_awaitable));
            (void)n;
            BOOST_TEST((ec == asio::error::eof), ec.message());
        });
        return out;
    }
};

/// Reads one HTTP/1.1 response with Content-Length from `s` (headers + body).
task<std::string> read_response(tcp::socket& s, std::string& buf)
{
    auto n = co_await asio::async_read_until(s, asio::dynamic_buffer(buf), "\r\n\r\n", asio::use_awaitable);
    std::string head = buf.substr(0, n);
    buf.erase(0, n);
    std::size_t length = 0;
    if (auto p = head.find("Content-Length: "); p != std::string::npos) length = std::stoul(head.substr(p + 16));
    if (buf.size() < length)
        co_await asio::async_read(s, asio::dynamic_buffer(buf), asio::transfer_exactly(length - buf.size()),
                                  asio::use_awaitable);
    head += buf.substr(0, length);
    buf.erase(0, length);
    co_return head;
}

const std::string date = "Date: Tue, 01 Jan 2030 00:00:00 GMT\r\n";
const std::string server_header = "Server: BaseHTTP/0.6 Python/3.11.2\r\n";

} // namespace

BOOST_AUTO_TEST_SUITE(api_server)

BOOST_AUTO_TEST_CASE(http10_answers_like_patroni)
{
    fixture f;
    router r(test::primary_view());
    const std::string body(r.status_body(true));
    BOOST_TEST(f.exchange("GET /primary HTTP/1.0\r\nHost: x\r\n\r\n") ==
               "HTTP/1.0 200 OK\r\n" + server_header + date + "Content-Type: application/json\r\n\r\n" + body);
    BOOST_TEST(f.exchange("OPTIONS /replica HTTP/1.0\r\n\r\n") == "HTTP/1.0 503 Service Unavailable\r\n\r\n");
    BOOST_TEST(f.exchange("HEAD /primary HTTP/1.0\r\n\r\n") == "HTTP/1.0 200 OK\r\n\r\n");
    BOOST_TEST(f.exchange("GET /liveness HTTP/1.0\r\n\r\n") == "HTTP/1.0 200 OK\r\n\r\n");
    const auto metrics = f.exchange("GET /metrics HTTP/1.0\r\n\r\n");
    BOOST_TEST(metrics.find("Content-Type: text/plain\r\n\r\n# HELP patroni_version") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(http11_keep_alive_serves_many_requests_on_one_connection)
{
    fixture f;
    f.run([&]() -> task<void> {
        auto s = co_await f.connect();
        std::string buf;
        const std::string reqs = "GET /patroni HTTP/1.1\r\nHost: x\r\n\r\n"
                                 "HEAD /primary HTTP/1.1\r\nHost: x\r\n\r\n"
                                 "GET /replica?lag=1MB HTTP/1.1\r\nHost: x\r\n\r\n";
        co_await asio::async_write(s, asio::buffer(reqs), asio::use_awaitable);   // pipelined
        const auto a = co_await read_response(s, buf);
        BOOST_TEST(a.rfind("HTTP/1.1 200 OK\r\n", 0) == 0u);
        BOOST_TEST(a.find("\"patroni\": {\"version\": \"4.1.4\"") != std::string::npos);
        const auto b = co_await read_response(s, buf);
        BOOST_TEST(b == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        const auto c = co_await read_response(s, buf);
        BOOST_TEST(c.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0u);
        BOOST_TEST(f.srv.connections() == 1u);
        // Still open: one more request, then Connection: close ends it.
        const std::string last = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        co_await asio::async_write(s, asio::buffer(last), asio::use_awaitable);
        std::string rest;
        auto [ec, n] = co_await asio::async_read(s, asio::dynamic_buffer(rest), asio::as_tuple(asio::use_awaitable));
        (void)n;
        BOOST_TEST((ec == asio::error::eof));
        BOOST_TEST(rest.rfind("HTTP/1.1 200 OK\r\n", 0) == 0u);
        BOOST_TEST(rest.find("Connection: close\r\n") != std::string::npos);
    });
}

BOOST_AUTO_TEST_CASE(unsafe_requests_reach_the_executor)
{
    fixture f;
    const std::string json = R"({"leader": "patroni1", "candidate": "patroni2", "scheduled_at": null})";
    const auto out = f.exchange("POST /switchover HTTP/1.0\r\nContent-Length: " + std::to_string(json.size()) +
                                "\r\n\r\n" + json);
    BOOST_TEST(out.find("HTTP/1.0 200 OK\r\n") == 0u);
    BOOST_TEST(out.find("\r\n\r\nSuccessfully switched over to \"patroni2\"") != std::string::npos);
    BOOST_REQUIRE(f.executed.size() == 1u);
    BOOST_TEST(std::get<switchover_command>(f.executed[0]).candidate.value() == "patroni2");

    const auto reload = f.exchange("POST /reload HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
    BOOST_TEST(reload == "HTTP/1.0 202 Accepted\r\n" + server_header + date +
                             "Content-Type: text/html\r\n\r\nreload scheduled");
    BOOST_TEST(f.executed.size() == 2u);
}

BOOST_AUTO_TEST_CASE(errors_auth_and_bad_requests)
{
    fixture f;
    auto v = test::primary_view();
    v.restapi.auth_key = "YWRtaW46c2VjcmV0";
    v.restapi.extra_headers = {{"X-Frame-Options", "SAMEORIGIN"}};
    f.current = std::make_shared<router>(v);

    const auto unauth = f.exchange("POST /restart HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
    BOOST_TEST(unauth == "HTTP/1.0 401 Unauthorized\r\n" + server_header + date +
                             "WWW-Authenticate: Basic realm=\"Patroni\"\r\nContent-Type: text/html\r\n"
                             "X-Frame-Options: SAMEORIGIN\r\n\r\nno auth header received");

    const auto nope = f.exchange("POST /patroni HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    BOOST_TEST(nope.rfind("HTTP/1.1 501 Unsupported method ('POST')\r\n", 0) == 0u);
    BOOST_TEST(nope.find("Connection: close\r\n") != std::string::npos);
    BOOST_TEST(nope.find("Server does not support this operation") != std::string::npos);

    const auto bad = f.exchange("GARBAGE\r\n\r\n");
    BOOST_TEST(bad.rfind("HTTP/1.0 400 Bad Request\r\n", 0) == 0u);
    BOOST_TEST(bad.find("<p>Error code: 400</p>") != std::string::npos);

    const auto length = f.exchange("POST /switchover HTTP/1.0\r\nAuthorization: Basic YWRtaW46c2VjcmV0\r\n\r\n");
    BOOST_TEST(length.rfind("HTTP/1.0 411 Length Required\r\n", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(stop_closes_idle_connections)
{
    fixture f;
    f.run([&]() -> task<void> {
        auto s = co_await f.connect();
        std::string buf;
        const std::string req = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        co_await asio::async_write(s, asio::buffer(req), asio::use_awaitable);
        (void)co_await read_response(s, buf);
        BOOST_TEST(f.srv.connections() == 1u);
        f.srv.stop();
        std::string rest;
        auto [ec, n] = co_await asio::async_read(s, asio::dynamic_buffer(rest), asio::as_tuple(asio::use_awaitable));
        (void)n;
        BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset), ec.message());
        BOOST_TEST(f.srv.connections() == 0u);
    });
}

BOOST_AUTO_TEST_SUITE_END()
