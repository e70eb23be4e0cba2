// An asynchronous HTTP/1.1 client for the DCS backends (etcd, Consul,
// Kubernetes) and for peer `/patroni` requests (rest-api.md 9).
//
// Beast does the work; this header stays light (no Beast, no OpenSSL): the
// implementation sits behind a pointer in impl/client.ipp, compiled once.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/error.hpp>
#include <pgwarden/core/task.hpp>
#include <pgwarden/http/url.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace pgwarden::http {

/** Errors of the HTTP client. Each maps to a pgwarden::condition. */
enum class error {
    connect_failed = 1,   ///< resolve/connect refused or unreachable -> unavailable
    timeout,              ///< the per-request deadline passed -> timeout
    tls_failed,           ///< TLS handshake or certificate check failed -> unavailable
    connection_closed,    ///< the peer closed or reset mid-exchange -> unavailable
    bad_response,         ///< not parsable as HTTP, or body too large -> invalid_response
    no_endpoints,         ///< the endpoint list is empty -> invalid_argument
    tls_config,           ///< CA, certificate or key file unusable -> invalid_argument
    end_of_stream,        ///< a streamed response ended normally -> not_found
};

PGWARDEN_DECL const boost::system::error_category& error_category() noexcept;

inline error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

/// The request methods we use.
enum class method { get, head, post, put, patch, delete_ };

struct header_field {
    std::string name;
    std::string value;
};

/** One request. `target` is path and query; the Host header comes from the
 *  endpoint; `Content-Type` is only sent with a non-empty `content_type`. */
struct request {
    method verb = method::get;
    std::string target = "/";
    std::string body;
    std::string content_type;
    std::vector<header_field> headers;
    /// Bound on the whole exchange with one endpoint (connect + TLS + write +
    /// read). With failover each endpoint tried gets this much again.
    std::chrono::milliseconds timeout{std::chrono::seconds(5)};
};

/** A complete response. Any status is a value: the caller judges 4xx/5xx. */
struct response {
    unsigned status = 0;
    std::string body;
    std::vector<header_field> headers;

    /// The first header with this (case-insensitive) name, or empty.
    PGWARDEN_DECL std::string_view header(std::string_view name) const noexcept;
};

/** TLS settings, used for every `https` endpoint. */
struct tls_options {
    std::string ca_file;      ///< empty: the system's default paths
    std::string cert_file;    ///< client certificate (PEM), optional
    std::string key_file;     ///< its private key; empty: inside cert_file
    bool verify = true;       ///< verify the server certificate chain
    bool verify_hostname = true;   ///< also match the host name (only with verify)
};

class host_resolver;   // host_resolver.hpp

struct client_options {
    std::vector<endpoint> endpoints;   ///< tried in order, from the current one
    tls_options tls;
    std::string user_agent = "pgwarden/" PGWARDEN_VERSION;
    /// Sent with every request (`Authorization: Basic ...`) when set.
    std::optional<std::pair<std::string, std::string>> basic_auth;
    std::size_t body_limit = 64u * 1024u * 1024u;
    std::size_t max_idle_connections = 4;
    /** Resolves endpoint host names that are not address literals, without
     *  threads (host_resolver.hpp); null: default_host_resolver(). */
    std::shared_ptr<host_resolver> resolver;
};

class client;

/** A long-lived response (an etcd watch, a chunked Kubernetes watch),
 *  delivered line by line as its bytes arrive. Moving is allowed; the
 *  connection closes when the object is destroyed or close() is called.
 */
class stream {
public:
    stream() = default;
    stream(stream&&) noexcept;
    stream& operator=(stream&&) noexcept;
    ~stream();

    /// The HTTP status of the response.
    unsigned status() const noexcept { return status_; }
    /// The response headers.
    const std::vector<header_field>& headers() const noexcept { return headers_; }

    /** Sets the deadline for the next_line() calls that follow. After it
     *  passes, a pending next_line() fails with error::timeout and the stream
     *  is closed (it cannot be resumed). */
    PGWARDEN_DECL void expires_after(std::chrono::milliseconds d);

    /** The next line of the body without its `\n` (a trailing `\r` is also
     *  dropped); a final unterminated piece is delivered as a line too.
     *  Returns error::end_of_stream when the body ended, error::timeout when
     *  the deadline passed, error::connection_closed on a reset. */
    [[nodiscard]] PGWARDEN_DECL task<result<std::string>> next_line();

    /// Closes the connection at once; a pending next_line() fails.
    PGWARDEN_DECL void close() noexcept;
    bool is_open() const noexcept { return impl_ != nullptr; }

    struct impl;

private:
    friend class client;
    std::shared_ptr<impl> impl_;
    unsigned status_ = 0;
    std::vector<header_field> headers_;
};

/** The client: keep-alive connections, a per-request deadline, TLS, and
 *  failover over several endpoints. All work runs on the given executor
 *  (single-threaded: no two coroutines of one client may run on different
 *  threads). Several requests may be in flight at once; each takes its own
 *  connection from a small idle pool.
 *
 *  Failover: when connecting to (or exchanging with) the current endpoint
 *  fails at the transport level, the next endpoint becomes current and the
 *  request is sent there, until each endpoint was tried once. An HTTP error
 *  status is not a transport failure.
 */
class client {
public:
    /** Builds a client. Returns error::tls_config when a CA, certificate or
     *  key file cannot be loaded (only checked when some endpoint is https or
     *  a TLS file is named). */
    [[nodiscard]] PGWARDEN_DECL static result<client> create(boost::asio::any_io_executor ex,
                                                             client_options options);

    /** Sends one request and reads the whole response. Returns
     *  error::no_endpoints, connect_failed, tls_failed, timeout,
     *  connection_closed or bad_response (the last endpoint's error). */
    [[nodiscard]] PGWARDEN_DECL task<result<response>> send(request req);

    /** Sends one request on a fresh connection and returns once the response
     *  header arrived; the body is then read through the stream. Same errors
     *  as send(). The request's timeout bounds only up to the header. */
    [[nodiscard]] PGWARDEN_DECL task<result<stream>> open_stream(request req);

    /// Replaces the endpoint list (drops idle connections); the first becomes current.
    PGWARDEN_DECL void set_endpoints(std::vector<endpoint> endpoints);
    /// The endpoint list.
    PGWARDEN_DECL const std::vector<endpoint>& endpoints() const noexcept;
    /// The endpoint the next request goes to first.
    PGWARDEN_DECL const endpoint& current_endpoint() const noexcept;
    /// Makes the next endpoint current (e.g. the server answered "unavailable").
    PGWARDEN_DECL void rotate() noexcept;
    /// Sets (or, with an empty value, removes) a header sent with every request.
    PGWARDEN_DECL void set_default_header(std::string name, std::string value);
    /// Closes every idle connection.
    PGWARDEN_DECL void close_idle() noexcept;
    /** Why the last failed attempt failed, for logs: `https://h:p: TLS
     *  handshake failed: certificate verify failed (SSL routines)`. Empty
     *  until something failed. */
    [[nodiscard]] PGWARDEN_DECL const std::string& last_failure() const noexcept;

    struct impl;

private:
    explicit client(std::shared_ptr<impl> p) noexcept : impl_(std::move(p)) {}
    std::shared_ptr<impl> impl_;
};

} // namespace pgwarden::http

template <>
struct boost::system::is_error_code_enum<pgwarden::http::error> : std::true_type {};

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/http/impl/client.ipp>
#endif
