// Template bodies of api::server (see ../server.hpp).
#pragma once
#include <pgwarden/api/server.hpp>
#include <pgwarden/core/assert.hpp>
#include <pgwarden/core/mark.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <exception>
#include <optional>
#include <set>
#include <string>
#include <utility>

// GCC 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known
// false positive with coroutines and class-specific operator new/delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace pgwarden::api {

template <class Executor>
struct server<Executor>::state : std::enable_shared_from_this<state> {
    using tcp = boost::asio::ip::tcp;
    using acceptor_type = typename tcp::acceptor::template rebind_executor<Executor>::other;
    using socket_type = typename tcp::socket::template rebind_executor<Executor>::other;
    using timer_type = typename boost::asio::steady_timer::template rebind_executor<Executor>::other;

    /// An open connection, as the idle sweep and stop() see it.
    struct connection {
        socket_type* socket = nullptr;
        mono_time last_active{};
        bool busy = false;                ///< a request is being answered
        void close() noexcept
        {
            boost::system::error_code ec;
            socket->shutdown(tcp::socket::shutdown_both, ec);
            socket->cancel(ec);
        }
    };

    state(Executor e, router_source r, clock_source c, command_executor x,
          std::shared_ptr<boost::asio::ssl::context> t, server_options o)
        : ex(e), acceptor(e), sweep_timer(e), routers(std::move(r)), clock(std::move(c)), exec(std::move(x)), tls(std::move(t)),
          options(o)
    {
    }

    Executor ex;
    acceptor_type acceptor;
    timer_type sweep_timer;
    router_source routers;
    clock_source clock;
    command_executor exec;
    std::shared_ptr<boost::asio::ssl::context> tls;
    server_options options;
    std::set<connection*> streams;   ///< open connections, for the sweep and stop()
    bool stopped = false;
    std::int64_t date_second = INT64_MIN;
    std::string date;

    /// The Date header, recomputed at most once per second.
    std::string_view date_for(wall_time now)
    {
        const auto s = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
        if (s != date_second) {
            date_second = s;
            date = http_date(now);
        }
        return date;
    }

    static void set_cloexec(int fd) noexcept
    {
        const int flags = ::fcntl(fd, F_GETFD);
        if (flags >= 0) (void)::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);   // best effort
    }

    /// Patroni's keepalive settings on accepted sockets (rest-api.md 1.2), plus TCP_NODELAY.
    void tune(int fd) const noexcept
    {
        set_cloexec(fd);
        const int one = 1;
        (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);   // best effort
        if (!options.tcp_keepalive) return;
        const int user_timeout = 10000, idle = 3, interval = 2, count = 3;
        (void)::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
        (void)::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
        (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
        (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
        (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
    }
};

namespace detail {

/// The answer to a request Beast could not parse (CPython: 400, 414, 431).
inline std::optional<unsigned> parse_error_status(const boost::system::error_code& ec) noexcept
{
    namespace http = boost::beast::http;
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) return 431;
    if (ec == http::error::body_limit) return 413;
    if (ec.category() == http::make_error_code(http::error::bad_method).category()) return 400;
    return std::nullopt;
}

template <class State, class Stream>
task<void> serve_connection(std::shared_ptr<State> s, Stream& stream, typename State::connection& conn,
                            std::string peer, bool cert_ok)
{
    namespace asio = boost::asio;
    namespace http = boost::beast::http;
    const auto token = asio::as_tuple(asio::use_awaitable);
    boost::beast::flat_buffer buffer;
    std::string head;
    while (!s->stopped) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(s->options.header_limit));
        parser.body_limit(s->options.body_limit);
        auto [ec, bytes] = co_await http::async_read(stream, buffer, parser, token);
        (void)bytes;   // the parser holds the message
        conn.busy = true;
        if (ec) {
            if (auto status = parse_error_status(ec); status && !s->stopped) {
                PGWARDEN_MARK("api: unparsable request");
                auto routers = s->routers();
                const auto clock = s->clock();
                auto resp = error_response(*status);
                head.clear();
                write_head(head, resp, routers->view().restapi, 0, false, s->date_for(clock.wall_now));
                head += resp.body;
                (void)co_await asio::async_write(stream, asio::buffer(head), token);   // closing anyway
            }
            break;
        }
        const auto& msg = parser.get();
        request req;
        req.method = msg.method_string();
        req.target = msg.target();
        if (auto it = msg.find(http::field::authorization); it != msg.end()) req.authorization = it->value();
        if (auto it = msg.find(http::field::content_length); it != msg.end()) req.content_length = it->value();
        req.body = msg.body();
        req.peer_address = peer;
        req.client_cert_verified = cert_ok;

        std::shared_ptr<const router> current = s->routers();   // keeps shared bodies alive
        const clock_reading clock = s->clock();
        response resp = current->route(req, clock);
        if (resp.cmd) {
            command cmd = std::move(*resp.cmd);
            resp.cmd.reset();
            if (s->exec) resp = co_await s->exec(std::move(cmd), std::move(resp), current);
            else resp = error_response(503);
        }
        if (msg.method() == http::verb::head) resp.head = true;
        head.clear();
        const bool keep = write_head(head, resp, current->view().restapi, msg.version() >= 11 ? 1 : 0,
                                     msg.keep_alive(), s->date_for(clock.wall_now));
        const std::string_view body = body_to_send(resp);
        const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body.data(), body.size())};
        auto [wec, written] = co_await asio::async_write(stream, buffers, token);
        (void)written;
        conn.busy = false;
        conn.last_active = clock.now;
        if (wec || !keep) break;
    }
}

template <class State>
task<void> run_session(std::shared_ptr<State> s, typename State::socket_type socket)
{
    namespace asio = boost::asio;
    boost::system::error_code ec;
    s->tune(socket.native_handle());
    const auto remote = socket.remote_endpoint(ec);
    std::string peer = ec ? std::string{} : remote.address().to_string();
    const auto token = asio::as_tuple(asio::use_awaitable);
    typename State::connection conn;
    conn.last_active = s->clock().now;
    try {
        if (!s->tls) {
            conn.socket = &socket;
            s->streams.insert(&conn);
            co_await serve_connection(s, socket, conn, std::move(peer), false);
            s->streams.erase(&conn);
            socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
            socket.close(ec);
        } else {
            asio::ssl::stream<typename State::socket_type> stream(std::move(socket), *s->tls);
            conn.socket = &stream.next_layer();
            conn.busy = true;   // the handshake is covered by the sweep only once idle
            s->streams.insert(&conn);
            auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, token);
            conn.busy = false;
            conn.last_active = s->clock().now;
            if (!hec) {
                // Patroni: a client certificate counts when the TLS layer verified it.
                X509* cert = ::SSL_get_peer_certificate(stream.native_handle());
                const bool cert_ok = cert && ::SSL_get_verify_result(stream.native_handle()) == X509_V_OK;
                if (cert) ::X509_free(cert);
                co_await serve_connection(s, stream, conn, std::move(peer), cert_ok);
                auto [sec] = co_await stream.async_shutdown(token);
                (void)sec;   // the peer may just drop the connection
            }
            s->streams.erase(&conn);
            stream.next_layer().close(ec);
        }
    } catch (const std::exception& e) {
        s->streams.erase(&conn);
        // Patroni logs handler exceptions and drops the connection; so do we.
        std::fprintf(stderr, "pgwarden api: connection from %s failed: %s\n", peer.c_str(), e.what());
    }
}

/// Closes connections idle for longer than idle_timeout. One timer for the
/// whole server instead of one per read keeps the hot path free of timers.
template <class State>
task<void> sweep_loop(std::shared_ptr<State> s)
{
    namespace asio = boost::asio;
    const auto period = std::max<std::chrono::milliseconds>(std::chrono::milliseconds{250},
                                                             s->options.idle_timeout / 4);
    while (!s->stopped) {
        s->sweep_timer.expires_after(period);
        auto [ec] = co_await s->sweep_timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec || s->stopped) co_return;
        const auto now = s->clock().now;
        for (auto* c : s->streams)
            if (!c->busy && c->last_active + s->options.idle_timeout < now) c->close();
    }
}

template <class State>
task<void> accept_loop(std::shared_ptr<State> s)
{
    namespace asio = boost::asio;
    while (!s->stopped) {
        auto [ec, socket] = co_await s->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            if (s->stopped || ec == asio::error::operation_aborted || !s->acceptor.is_open()) co_return;
            continue;   // e.g. ECONNABORTED, EMFILE: keep serving
        }
        asio::co_spawn(s->ex, run_session(s, std::move(socket)), asio::detached);
    }
}

} // namespace detail

template <class Executor>
server<Executor>::server(Executor ex, router_source routers, clock_source clock, command_executor exec,
                         std::shared_ptr<boost::asio::ssl::context> tls, server_options options)
    : state_(std::make_shared<state>(ex, std::move(routers), std::move(clock), std::move(exec), std::move(tls),
                                     options))
{
}

template <class Executor>
server<Executor>::~server()
{
    stop();
}

template <class Executor>
result<void> server<Executor>::listen(const boost::asio::ip::tcp::endpoint& endpoint)
{
    boost::system::error_code ec;
    auto& a = state_->acceptor;
    a.open(endpoint.protocol(), ec);
    if (ec) return ec;
    state::set_cloexec(a.native_handle());
    a.set_option(boost::asio::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(endpoint, ec);
    if (!ec) a.listen(state_->options.backlog, ec);
    if (ec) {
        boost::system::error_code ignored;
        a.close(ignored);
        return ec;
    }
    return {};
}

template <class Executor>
boost::asio::ip::tcp::endpoint server<Executor>::local_endpoint() const
{
    boost::system::error_code ec;
    return state_->acceptor.local_endpoint(ec);
}

template <class Executor>
void server<Executor>::start()
{
    PGWARDEN_ASSERT(state_->acceptor.is_open());
    boost::asio::co_spawn(state_->ex, detail::accept_loop(state_), boost::asio::detached);
    boost::asio::co_spawn(state_->ex, detail::sweep_loop(state_), boost::asio::detached);
}

template <class Executor>
void server<Executor>::stop()
{
    auto& s = *state_;
    if (s.stopped) return;
    s.stopped = true;
    boost::system::error_code ec;
    s.acceptor.close(ec);
    s.sweep_timer.cancel();
    for (auto* c : s.streams) c->close();
}

template <class Executor>
std::size_t server<Executor>::connections() const noexcept
{
    return state_->streams.size();
}

} // namespace pgwarden::api

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
