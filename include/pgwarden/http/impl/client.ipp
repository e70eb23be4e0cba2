#pragma once
#include <pgwarden/core/assert.hpp>
#include <pgwarden/core/mark.hpp>
#include <pgwarden/http/base64.hpp>
#include <pgwarden/http/client.hpp>
#include <pgwarden/http/host_resolver.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <cctype>
#include <limits>

namespace pgwarden::http {
namespace detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

class error_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "pgwarden.http"; }
    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
        case error::connect_failed: return "cannot connect";
        case error::timeout: return "request timed out";
        case error::tls_failed: return "TLS handshake failed";
        case error::connection_closed: return "connection closed by peer";
        case error::bad_response: return "malformed HTTP response";
        case error::no_endpoints: return "no endpoints configured";
        case error::tls_config: return "unusable TLS configuration";
        case error::end_of_stream: return "end of stream";
        }
        return "unknown http error";
    }
    boost::system::error_condition default_error_condition(int ev) const noexcept override
    {
        switch (static_cast<error>(ev)) {
        case error::connect_failed:
        case error::tls_failed:
        case error::connection_closed: return condition::unavailable;
        case error::timeout: return condition::timeout;
        case error::bad_response: return condition::invalid_response;
        case error::no_endpoints:
        case error::tls_config: return condition::invalid_argument;
        case error::end_of_stream: return condition::not_found;
        }
        return {ev, *this};
    }
};

inline bool iequals(std::string_view a, std::string_view b) noexcept
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

inline bhttp::verb to_verb(method m) noexcept
{
    switch (m) {
    case method::get: return bhttp::verb::get;
    case method::head: return bhttp::verb::head;
    case method::post: return bhttp::verb::post;
    case method::put: return bhttp::verb::put;
    case method::patch: return bhttp::verb::patch;
    case method::delete_: return bhttp::verb::delete_;
    }
    return bhttp::verb::get;
}

/// Maps a read/write failure to our error.
inline error_code map_io(const error_code& ec) noexcept
{
    if (ec == beast::error::timeout) return error::timeout;
    if (ec.category() == make_error_code(bhttp::error::end_of_stream).category()) {
        if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message)
            return error::connection_closed;
        return error::bad_response;
    }
    return error::connection_closed;
}

/// One connection, plain or TLS, with its read buffer.
struct connection {
    endpoint where;
    std::optional<beast::tcp_stream> tcp;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;

    beast::tcp_stream& lowest() noexcept { return tls ? beast::get_lowest_layer(*tls) : *tcp; }

    /// Calls f with the top stream: f must return the same awaitable type for both.
    template <class F>
    auto visit(F&& f)
    {
        return tls ? f(*tls) : f(*tcp);
    }

    void close() noexcept
    {
        error_code ignored;
        lowest().socket().close(ignored);
    }
};

// Named operations for connection::visit (lambdas in coroutine frames trip
// GCC's -Wsubobject-linkage in headers).
struct write_op {
    bhttp::request<bhttp::string_body>& message;
    template <class Stream>
    task<error_code> operator()(Stream& s) const
    {
        auto [e, n] = co_await bhttp::async_write(s, message, use_tuple);
        (void)n;   // bytes written: not needed
        co_return e;
    }
};

template <class Parser>
struct read_op {
    beast::flat_buffer& buffer;
    Parser& parser;
    template <class Stream>
    task<error_code> operator()(Stream& s) const
    {
        auto [e, n] = co_await bhttp::async_read(s, buffer, parser, use_tuple);
        (void)n;   // bytes read: not needed
        co_return e;
    }
};

template <class Parser>
struct read_header_op {
    beast::flat_buffer& buffer;
    Parser& parser;
    template <class Stream>
    task<error_code> operator()(Stream& s) const
    {
        auto [e, n] = co_await bhttp::async_read_header(s, buffer, parser, use_tuple);
        (void)n;   // bytes read: not needed
        co_return e;
    }
};

template <class Parser>
struct read_some_op {
    beast::flat_buffer& buffer;
    Parser& parser;
    template <class Stream>
    task<error_code> operator()(Stream& s) const
    {
        auto [e, n] = co_await bhttp::async_read_some(s, buffer, parser, use_tuple);
        (void)n;   // bytes consumed: the body size tells what arrived
        co_return e;
    }
};

} // namespace detail

struct client::impl {
    boost::asio::any_io_executor ex;
    client_options options;
    std::optional<boost::asio::ssl::context> ssl_ctx;
    std::size_t current = 0;
    std::vector<header_field> default_headers;
    std::vector<std::unique_ptr<detail::connection>> idle;
    std::string last_failure;

    std::unique_ptr<detail::connection> take_idle(const endpoint& ep)
    {
        for (auto it = idle.begin(); it != idle.end(); ++it) {
            if ((*it)->where == ep) {
                auto c = std::move(*it);
                idle.erase(it);
                return c;
            }
        }
        return nullptr;
    }

    void give_back(std::unique_ptr<detail::connection> c)
    {
        if (idle.size() >= options.max_idle_connections) return;
        if (std::find(options.endpoints.begin(), options.endpoints.end(), c->where) ==
            options.endpoints.end())
            return;
        idle.push_back(std::move(c));
    }

    void rotate_from(const endpoint& ep) noexcept
    {
        const auto n = options.endpoints.size();
        if (n == 0) return;
        if (options.endpoints[current % n] == ep) current = (current + 1) % n;
    }

    /// Records why the last exchange with `ep` failed (for logs and errors).
    void note_failure(const endpoint& ep, std::string_view what, const error_code& ec)
    {
        last_failure = ep.to_string() + ": " + std::string(what);
        if (ec) last_failure += ": " + ec.message();
    }

    task<result<std::unique_ptr<detail::connection>>> connect(endpoint ep,
                                                              std::chrono::milliseconds timeout)
    {
        namespace asio = boost::asio;
        using detail::use_tuple;
        auto conn = std::make_unique<detail::connection>();
        conn->where = ep;
        if (ep.is_tls()) {
            // Endpoints learnt later (DNS SRV, member discovery) may be the
            // first https ones: the context is then made on first use.
            if (!ssl_ctx) {
                auto ctx = make_ssl_context(options.tls);
                if (!ctx) {
                    note_failure(ep, "unusable TLS files", ctx.error());
                    co_return error::tls_config;
                }
                ssl_ctx.emplace(std::move(*ctx));
            }
            conn->tls.emplace(ex, *ssl_ctx);
        } else {
            conn->tcp.emplace(ex);
        }
        auto& low = conn->lowest();
        low.expires_after(timeout);
        error_code aec;
        const auto literal = asio::ip::make_address(ep.host, aec);
        error_code cec;
        if (!aec) {
            auto [e] = co_await low.async_connect(asio::ip::tcp::endpoint(literal, ep.port), use_tuple);
            cec = e;
        } else {
            // A name: resolved on this executor (never Asio's resolver, which
            // starts a thread), within the same deadline as the connect.
            using namespace asio::experimental::awaitable_operators;
            if (!options.resolver) options.resolver = default_host_resolver();
            auto resolver = options.resolver;
            asio::steady_timer deadline(ex, timeout);
            auto which = co_await (resolver->resolve(ex, ep.host) || deadline.async_wait(use_tuple));
            if (which.index() == 1) {
                note_failure(ep, "cannot resolve", make_error_code(error::timeout));
                co_return error::timeout;
            }
            auto& found = std::get<0>(which);
            if (!found) {
                note_failure(ep, "cannot resolve", found.error());
                co_return error::connect_failed;
            }
            std::vector<asio::ip::tcp::endpoint> targets;
            for (const auto& a : *found) targets.emplace_back(a, ep.port);
            auto [e, unused] = co_await low.async_connect(targets, use_tuple);
            (void)unused;   // the endpoint connected to; the host header uses ep
            cec = e;
        }
        if (cec) {
            note_failure(ep, "cannot connect", cec);
            co_return cec == boost::beast::error::timeout ? error::timeout : error::connect_failed;
        }
        if (conn->tls) {
            if (aec) {   // a name: send SNI
                SSL_set_tlsext_host_name(conn->tls->native_handle(), ep.host.c_str());
            }
            if (options.tls.verify && options.tls.verify_hostname)
                conn->tls->set_verify_callback(asio::ssl::host_name_verification(ep.host));
            auto [hec] = co_await conn->tls->async_handshake(asio::ssl::stream_base::client, use_tuple);
            if (hec) {
                note_failure(ep, "TLS handshake failed", hec);
                co_return hec == boost::beast::error::timeout ? error::timeout : error::tls_failed;
            }
        }
        co_return conn;
    }

    /// A client TLS context from the options; error::tls_config when a file is unusable.
    static result<boost::asio::ssl::context> make_ssl_context(const tls_options& t)
    {
        namespace ssl = boost::asio::ssl;
        ssl::context ctx(ssl::context::tls_client);
        error_code ec;
        if (!t.ca_file.empty()) ctx.load_verify_file(t.ca_file, ec);
        else ctx.set_default_verify_paths(ec);
        if (ec) return error::tls_config;
        if (!t.cert_file.empty()) {
            ctx.use_certificate_chain_file(t.cert_file, ec);
            if (ec) return error::tls_config;
            ctx.use_private_key_file(t.key_file.empty() ? t.cert_file : t.key_file, ssl::context::pem, ec);
            if (ec) return error::tls_config;
        }
        ctx.set_verify_mode(t.verify ? ssl::verify_peer : ssl::verify_none, ec);
        if (ec) return error::tls_config;
        return ctx;
    }

    detail::bhttp::request<detail::bhttp::string_body> build(const request& req,
                                                             const endpoint& ep) const
    {
        namespace bhttp = detail::bhttp;
        bhttp::request<bhttp::string_body> m{detail::to_verb(req.verb), req.target, 11};
        m.set(bhttp::field::host, ep.host_header());
        m.set(bhttp::field::user_agent, options.user_agent);
        if (!req.content_type.empty()) m.set(bhttp::field::content_type, req.content_type);
        if (options.basic_auth)
            m.set(bhttp::field::authorization,
                  "Basic " + base64_encode(options.basic_auth->first + ":" +
                                           options.basic_auth->second));
        for (const auto& h : default_headers) m.set(h.name, h.value);
        for (const auto& h : req.headers) m.set(h.name, h.value);
        m.keep_alive(true);
        m.body() = req.body;
        m.prepare_payload();
        return m;
    }

    /// Writes the request; returns the mapped error.
    task<error_code> write(detail::connection& c, const request& req)
    {
        auto m = build(req, c.where);
        c.lowest().expires_after(req.timeout);
        auto ec = co_await c.visit(detail::write_op{m});
        co_return ec ? detail::map_io(ec) : error_code{};
    }

    /// One request/response on an open connection; true in the pair = keep it.
    task<result<std::pair<response, bool>>> exchange(detail::connection& c, const request& req)
    {
        namespace bhttp = detail::bhttp;
        if (auto ec = co_await write(c, req)) co_return ec;
        bhttp::response_parser<bhttp::string_body> p;
        p.body_limit(options.body_limit);
        if (req.verb == method::head) p.skip(true);
        auto ec = co_await c.visit(detail::read_op<decltype(p)>{c.buffer, p});
        if (ec) co_return detail::map_io(ec);
        auto msg = p.release();
        response out;
        out.status = msg.result_int();
        for (const auto& f : msg) out.headers.push_back({std::string(f.name_string()), std::string(f.value())});
        out.body = std::move(msg.body());
        co_return std::pair{std::move(out), msg.keep_alive()};
    }
};

struct stream::impl {
    std::unique_ptr<detail::connection> conn;
    detail::bhttp::response_parser<detail::bhttp::buffer_body> parser;
    std::string pending;
    bool done = false;
    bool closed = false;
};

PGWARDEN_DECL const boost::system::error_category& error_category() noexcept
{
    static const detail::error_category_impl cat;
    return cat;
}

PGWARDEN_DECL std::string_view response::header(std::string_view name) const noexcept
{
    for (const auto& h : headers)
        if (detail::iequals(h.name, name)) return h.value;
    return {};
}

// ---- client ---------------------------------------------------------------

PGWARDEN_DECL result<client> client::create(boost::asio::any_io_executor ex, client_options options)
{
    auto p = std::make_shared<impl>();
    p->ex = std::move(ex);
    const bool any_tls = std::any_of(options.endpoints.begin(), options.endpoints.end(),
                                     [](const endpoint& e) { return e.is_tls(); });
    const auto& t = options.tls;
    if (any_tls || !t.ca_file.empty() || !t.cert_file.empty()) {
        auto ctx = impl::make_ssl_context(t);   // files are checked now, not at first use
        if (!ctx) return ctx.error();
        p->ssl_ctx.emplace(std::move(*ctx));
    }
    p->options = std::move(options);
    return client(std::move(p));
}

PGWARDEN_DECL task<result<response>> client::send(request req)
{
    auto self = impl_;   // the coroutine keeps the state alive
    const auto n = self->options.endpoints.size();
    if (n == 0) co_return error::no_endpoints;
    error_code last = error::connect_failed;
    for (std::size_t attempt = 0; attempt < n; ++attempt) {
        if (self->options.endpoints.empty()) co_return error::no_endpoints;
        const endpoint ep = self->options.endpoints[self->current % self->options.endpoints.size()];
        // A pooled keep-alive connection may have been closed by the server
        // while idle: that failure says nothing about the endpoint.
        while (auto pooled = self->take_idle(ep)) {
            auto r = co_await self->exchange(*pooled, req);
            if (r) {
                if (r->second) self->give_back(std::move(pooled));
                co_return std::move(r->first);
            }
            PGWARDEN_MARK("http: stale keep-alive connection");
            if (r.error() == error::bad_response) co_return r.error();
        }
        auto conn = co_await self->connect(ep, req.timeout);
        if (!conn) {
            last = conn.error();
            if (last == error::tls_config) co_return last;
            PGWARDEN_MARK("http: failover after connect failure");
            self->rotate_from(ep);
            continue;
        }
        auto r = co_await self->exchange(**conn, req);
        if (r) {
            if (r->second) self->give_back(std::move(*conn));
            co_return std::move(r->first);
        }
        last = r.error();
        self->note_failure(ep, "exchange failed", last);
        if (last == error::bad_response) co_return last;
        PGWARDEN_MARK("http: failover after exchange failure");
        self->rotate_from(ep);
    }
    co_return last;
}

PGWARDEN_DECL task<result<stream>> client::open_stream(request req)
{
    namespace bhttp = detail::bhttp;
    auto self = impl_;
    const auto n = self->options.endpoints.size();
    if (n == 0) co_return error::no_endpoints;
    error_code last = error::connect_failed;
    for (std::size_t attempt = 0; attempt < n; ++attempt) {
        if (self->options.endpoints.empty()) co_return error::no_endpoints;
        const endpoint ep = self->options.endpoints[self->current % self->options.endpoints.size()];
        auto conn = co_await self->connect(ep, req.timeout);
        if (!conn) {
            last = conn.error();
            if (last == error::tls_config) co_return last;
            self->rotate_from(ep);
            continue;
        }
        auto& c = **conn;
        if (auto ec = co_await self->write(c, req)) {
            last = ec;
            self->rotate_from(ep);
            continue;
        }
        auto si = std::make_shared<stream::impl>();
        si->parser.body_limit((std::numeric_limits<std::uint64_t>::max)());
        auto ec = co_await c.visit(
            detail::read_header_op<decltype(si->parser)>{c.buffer, si->parser});
        if (ec) {
            last = detail::map_io(ec);
            if (last == error::bad_response) co_return last;
            self->rotate_from(ep);
            continue;
        }
        stream out;
        out.status_ = si->parser.get().result_int();
        for (const auto& f : si->parser.get())
            out.headers_.push_back({std::string(f.name_string()), std::string(f.value())});
        si->done = si->parser.is_done();
        c.lowest().expires_never();
        si->conn = std::move(*conn);
        out.impl_ = std::move(si);
        co_return out;
    }
    co_return last;
}

PGWARDEN_DECL void client::set_endpoints(std::vector<endpoint> endpoints)
{
    impl_->options.endpoints = std::move(endpoints);
    impl_->current = 0;
    impl_->idle.clear();
}

PGWARDEN_DECL const std::vector<endpoint>& client::endpoints() const noexcept
{
    return impl_->options.endpoints;
}

PGWARDEN_DECL const endpoint& client::current_endpoint() const noexcept
{
    static const endpoint none{};
    const auto& eps = impl_->options.endpoints;
    return eps.empty() ? none : eps[impl_->current % eps.size()];
}

PGWARDEN_DECL void client::rotate() noexcept
{
    const auto n = impl_->options.endpoints.size();
    if (n != 0) impl_->current = (impl_->current + 1) % n;
    impl_->idle.clear();
}

PGWARDEN_DECL void client::set_default_header(std::string name, std::string value)
{
    auto& hs = impl_->default_headers;
    hs.erase(std::remove_if(hs.begin(), hs.end(),
                            [&](const header_field& h) { return detail::iequals(h.name, name); }),
             hs.end());
    if (!value.empty()) hs.push_back({std::move(name), std::move(value)});
}

PGWARDEN_DECL void client::close_idle() noexcept
{
    impl_->idle.clear();
}

PGWARDEN_DECL const std::string& client::last_failure() const noexcept
{
    return impl_->last_failure;
}

// ---- stream ---------------------------------------------------------------

PGWARDEN_DECL stream::stream(stream&&) noexcept = default;
PGWARDEN_DECL stream& stream::operator=(stream&&) noexcept = default;
PGWARDEN_DECL stream::~stream()
{
    close();
}

PGWARDEN_DECL void stream::expires_after(std::chrono::milliseconds d)
{
    if (impl_ && !impl_->closed) impl_->conn->lowest().expires_after(d);
}

PGWARDEN_DECL void stream::close() noexcept
{
    if (impl_ && !impl_->closed) {
        impl_->closed = true;
        impl_->conn->close();
    }
}

PGWARDEN_DECL task<result<std::string>> stream::next_line()
{
    namespace bhttp = detail::bhttp;
    auto self = impl_;
    if (!self) co_return error::end_of_stream;
    for (;;) {
        if (const auto nl = self->pending.find('\n'); nl != std::string::npos) {
            std::string line = self->pending.substr(0, nl);
            self->pending.erase(0, nl + 1);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            co_return line;
        }
        if (self->done) {
            if (self->pending.empty()) co_return error::end_of_stream;
            co_return std::exchange(self->pending, std::string{});
        }
        if (self->closed) co_return error::connection_closed;
        char buf[8192];
        auto& body = self->parser.get().body();
        body.data = buf;
        body.size = sizeof buf;
        auto& c = *self->conn;
        auto ec = co_await c.visit(
            detail::read_some_op<decltype(self->parser)>{c.buffer, self->parser});
        if (ec == bhttp::error::need_buffer) ec = {};
        self->pending.append(buf, sizeof buf - self->parser.get().body().size);
        if (ec) {
            const bool was_closed = self->closed;
            self->closed = true;
            c.close();
            if (was_closed) co_return error::connection_closed;
            co_return detail::map_io(ec);
        }
        if (self->parser.is_done()) self->done = true;
    }
}

} // namespace pgwarden::http
