// The REST API server: Beast HTTP/1.1 on the daemon's Asio executor, C++20
// coroutines, no threads of its own (STYLE.md 1). It parses requests, asks the
// current router (swapped by the engine each HA cycle) for the answer, hands
// unsafe commands to the daemon and writes the bytes Patroni would write.
#pragma once
#include <pgwarden/api/router.hpp>
#include <pgwarden/core/result.hpp>
#include <pgwarden/core/task.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace pgwarden::api {

/// Returns the current router; called once per request, so it must be cheap
/// (e.g. copy a std::shared_ptr the engine replaces each cycle).
using router_source = std::function<std::shared_ptr<const router>()>;

/// Reads the clocks for one request (only apps/ and clock/ may call ::now()).
using clock_source = std::function<clock_reading()>;

/** Executes an unsafe command and produces the response (rest-api.md 8).
 *  `preliminary` is the router's answer, whose status/body hold the default
 *  success reply when there is one (reload: 202 `reload scheduled`).
 *  The executor must not throw; it runs on the server's executor.
 */
using command_executor =
    std::function<task<response>(command cmd, response preliminary, std::shared_ptr<const router> view)>;

struct server_options {
    std::size_t header_limit = 65536 + 16384;     ///< request line (64 KiB, as CPython) + headers
    std::size_t body_limit = 1 << 20;
    std::chrono::seconds idle_timeout{60};        ///< keep-alive connections idle longer are closed
    int backlog = 5;                              ///< restapi.request_queue_size
    bool tcp_keepalive = true;                    ///< Patroni's SO_KEEPALIVE/TCP_USER_TIMEOUT settings
};

/** An HTTP(S) server for the REST API.
 *
 *  @tparam Executor the Asio executor all I/O runs on (the daemon's
 *          io_context executor, or a strand of it).
 *
 *  HTTP/1.0 requests are answered exactly like Patroni (status line
 *  `HTTP/1.0`, no Content-Length, connection closed). HTTP/1.1 requests get
 *  keep-alive with Content-Length unless they ask for `Connection: close`.
 *  TLS is on when an ssl::context is given.
 *
 *  The server object may be destroyed while sessions still run: they share
 *  its state. stop() closes the listener and every open connection.
 */
template <class Executor = boost::asio::any_io_executor>
class server {
public:
    server(Executor ex, router_source routers, clock_source clock, command_executor exec = {},
           std::shared_ptr<boost::asio::ssl::context> tls = {}, server_options options = {});
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /** Binds and listens on `endpoint` (SO_REUSEADDR, FD_CLOEXEC).
     *  Returns the socket error (e.g. address in use) when binding fails.
     */
    [[nodiscard]] result<void> listen(const boost::asio::ip::tcp::endpoint& endpoint);

    /// The bound address (useful with port 0).
    [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;

    /// Starts accepting on the executor. @pre listen() succeeded.
    void start();

    /// Closes the listener and all connections; sessions finish on their own.
    void stop();

    /// Connections currently open (for tests and metrics).
    [[nodiscard]] std::size_t connections() const noexcept;

private:
    struct state;
    std::shared_ptr<state> state_;
};

} // namespace pgwarden::api

#include <pgwarden/api/impl/server.hpp>
