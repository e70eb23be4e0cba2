#pragma once
#include <pgwarden/dcs/zookeeper/session.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <deque>
#include <limits>
#include <map>

namespace pgwarden::dcs::zookeeper {
namespace detail {

namespace asio = boost::asio;
using asio::ip::tcp;

/// A wake-up flag for one waiting coroutine: wait() returns once notify()
/// was called (before or during the wait). Single-threaded by construction.
class zk_signal {
public:
    explicit zk_signal(const asio::any_io_executor& ex) : timer_(ex) {}
    /// Forgets a notify() nobody waited for.
    void reset() noexcept { fired_ = false; }
    void notify()
    {
        fired_ = true;
        timer_.cancel();
    }
    /// Waits for notify() or until `limit` passes; true if notified.
    task<bool> wait(std::chrono::steady_clock::duration limit = std::chrono::steady_clock::duration::max())
    {
        if (!fired_) {
            if (limit == std::chrono::steady_clock::duration::max())
                timer_.expires_at(std::chrono::steady_clock::time_point::max());
            else
                timer_.expires_after(limit);
            error_code ec;
            co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        const bool was = fired_;
        fired_ = false;
        co_return was;
    }

private:
    asio::steady_timer timer_;
    bool fired_ = false;
};

struct pending_call {
    explicit pending_call(const asio::any_io_executor& ex) : done(ex) {}
    zk_signal done;
    bool finished = false;
    error_code ec;
    std::string body;
};

/// One TCP connection of the session; loops hold it alive until they end.
struct connection {
    explicit connection(const asio::any_io_executor& ex)
        : sock(ex), write_wake(ex), ping_timer(ex), deadline(ex)
    {
    }
    tcp::socket sock;
    bool open = true;
    std::deque<std::string> out;
    zk_signal write_wake;
    asio::steady_timer ping_timer;
    asio::steady_timer deadline;
};

struct session_impl : std::enable_shared_from_this<session_impl> {
    session_impl(asio::any_io_executor e, session_options o) : ex(std::move(e)), opts(std::move(o)), event_wake(ex) {}

    asio::any_io_executor ex;
    session_options opts;
    session_state state = session_state::idle;
    std::int64_t session_id = 0;
    std::string passwd = std::string(16, '\0');
    std::chrono::milliseconds negotiated{0};
    std::int64_t last_zxid = 0;
    std::int32_t next_xid = 1;
    bool closing = false;   ///< close() is under way: the drop that follows is the close
    std::shared_ptr<connection> conn;
    std::map<std::int32_t, std::shared_ptr<pending_call>> pending;
    std::deque<session_event> events;
    zk_signal event_wake;

    void push_event(session_event e)
    {
        events.push_back(std::move(e));
        event_wake.notify();
    }

    std::chrono::milliseconds read_timeout() const { return negotiated * 2 / 3; }

    /// Restarts the dead-connection timer: nothing received for read_timeout() closes the socket.
    void arm_deadline(const std::shared_ptr<connection>& c)
    {
        c->deadline.expires_after(read_timeout());
        c->deadline.async_wait([w = std::weak_ptr<connection>(c)](error_code ec) {
            if (ec) return;
            if (auto c = w.lock(); c && c->open) {
                error_code ignored;
                c->sock.close(ignored);
            }
        });
    }

    /// Ends a connection: fails its outstanding calls with `ec`, reports `why`.
    void teardown(const std::shared_ptr<connection>& c, error_code ec, jute::keeper_state why,
                  session_state next)
    {
        if (!c->open) return;
        if (closing) {
            why = jute::keeper_state::closed;
            next = session_state::idle;
        }
        c->open = false;
        error_code ignored;
        c->sock.close(ignored);
        c->ping_timer.cancel();
        c->deadline.cancel();
        c->write_wake.notify();
        auto calls = std::move(pending);
        pending.clear();
        for (auto& [xid, p] : calls) {
            p->ec = ec;
            p->finished = true;
            p->done.notify();
        }
        if (conn == c) conn.reset();
        state = next;
        push_event({jute::event_type::none, why, {}});
    }

    void send(const std::shared_ptr<connection>& c, std::string frame)
    {
        c->out.push_back(std::move(frame));
        c->write_wake.notify();
    }

    static task<void> writer(std::shared_ptr<session_impl> self, std::shared_ptr<connection> c)
    {
        while (c->open) {
            if (c->out.empty()) {
                co_await c->write_wake.wait();
                continue;
            }
            std::string f = std::move(c->out.front());
            c->out.pop_front();
            error_code ec;
            co_await asio::async_write(c->sock, asio::buffer(f), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                self->teardown(c, error::connection_loss, jute::keeper_state::disconnected,
                               session_state::disconnected);
                co_return;
            }
        }
    }

    static task<void> pinger(std::shared_ptr<session_impl> self, std::shared_ptr<connection> c)
    {
        while (c->open) {
            c->ping_timer.expires_after(self->negotiated / 3);
            error_code ec;
            co_await c->ping_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            if (!c->open) co_return;
            self->send(c, jute::encode_ping());
        }
    }

    /// Reads one frame; an error for a short read or a bad length.
    task<result<std::string>> read_frame(tcp::socket& sock)
    {
        char prefix[4];
        error_code ec;
        co_await asio::async_read(sock, asio::buffer(prefix), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return fail(error::connection_loss);
        auto n = jute::frame_length(std::string_view(prefix, 4), opts.max_frame);
        if (!n) co_return fail(n.error());
        std::string payload(*n, '\0');
        if (*n > 0)
            co_await asio::async_read(sock, asio::buffer(payload), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return fail(error::connection_loss);
        co_return payload;
    }

    static task<void> reader(std::shared_ptr<session_impl> self, std::shared_ptr<connection> c)
    {
        while (c->open) {
            auto frame = co_await self->read_frame(c->sock);
            if (!c->open) co_return;
            if (!frame) {
                self->teardown(c, frame.error() == error::connection_loss ? error_code(error::connection_loss)
                                                                          : frame.error(),
                               jute::keeper_state::disconnected, session_state::disconnected);
                co_return;
            }
            self->arm_deadline(c);
            auto rep = jute::decode_reply(*frame);
            if (!rep) {
                self->teardown(c, rep.error(), jute::keeper_state::disconnected, session_state::disconnected);
                co_return;
            }
            const auto& h = rep->header;
            if (h.zxid > self->last_zxid) self->last_zxid = h.zxid;
            if (h.xid == jute::notification_xid) {
                auto ev = jute::decode_watcher_event(rep->body);
                if (!ev) {
                    self->teardown(c, ev.error(), jute::keeper_state::disconnected, session_state::disconnected);
                    co_return;
                }
                self->push_event({ev->type, ev->state, std::move(ev->path)});
                continue;
            }
            if (h.xid == jute::ping_xid || h.xid == jute::auth_xid || h.xid == jute::set_watches_xid) continue;
            auto it = self->pending.find(h.xid);
            if (it == self->pending.end()) {
                self->teardown(c, error::unexpected_reply, jute::keeper_state::disconnected,
                               session_state::disconnected);
                co_return;
            }
            auto p = std::move(it->second);
            self->pending.erase(it);
            if (h.err != 0)
                p->ec = from_server(h.err);
            else
                p->body.assign(rep->body);
            p->finished = true;
            p->done.notify();
        }
    }

    /// Sends one request and awaits its reply body.
    task<result<std::string>> call(std::int32_t xid, std::string frame)
    {
        auto self = shared_from_this();
        auto c = conn;
        if (!c || !c->open || state != session_state::connected) co_return fail(error::not_connected);
        auto p = std::make_shared<pending_call>(ex);
        pending.emplace(xid, p);
        send(c, std::move(frame));
        while (!p->finished) co_await p->done.wait();
        if (p->ec) co_return fail(p->ec);
        co_return std::move(p->body);
    }

    std::int32_t take_xid()
    {
        const std::int32_t x = next_xid;
        next_xid = next_xid == std::numeric_limits<std::int32_t>::max() ? 1 : next_xid + 1;
        return x;
    }

    task<result<void>> connect()
    {
        auto self = shared_from_this();
        if (state == session_state::connected) co_return result<void>{};
        error_code ec;
        const auto addr = asio::ip::make_address(opts.host, ec);
        if (ec) co_return fail(error::bad_config);
        if (state != session_state::disconnected) {   // idle or expired: a new session
            session_id = 0;
            passwd.assign(16, '\0');
            last_zxid = 0;
        }
        auto c = std::make_shared<connection>(ex);
        // One timer bounds connect + handshake: when it fires the socket is closed.
        asio::steady_timer guard(ex);
        guard.expires_after(opts.connect_timeout);
        guard.async_wait([w = std::weak_ptr<connection>(c)](error_code e) {
            if (e) return;
            if (auto c = w.lock()) {
                error_code ignored;
                c->sock.close(ignored);
            }
        });
        co_await c->sock.async_connect(tcp::endpoint(addr, opts.port),
                                       asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return fail(error::connection_loss);
        jute::connect_request req;
        req.last_zxid_seen = last_zxid;
        req.timeout_ms = static_cast<std::int32_t>(opts.session_timeout.count());
        req.session_id = session_id;
        req.passwd = passwd;
        const std::string hello = jute::encode(req);
        co_await asio::async_write(c->sock, asio::buffer(hello), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return fail(error::connection_loss);
        auto frame = co_await read_frame(c->sock);
        guard.cancel();
        if (!frame) co_return fail(frame.error());
        auto resp = jute::decode_connect_response(*frame);
        if (!resp) co_return fail(resp.error());
        if (resp->timeout_ms <= 0) {
            // The server dropped the session we asked to resume.
            error_code ignored;
            c->sock.close(ignored);
            session_id = 0;
            state = session_state::expired;
            push_event({jute::event_type::none, jute::keeper_state::expired, {}});
            co_return fail(error::session_expired);
        }
        session_id = resp->session_id;
        passwd = resp->passwd;
        negotiated = std::chrono::milliseconds(resp->timeout_ms);
        conn = c;
        state = session_state::connected;
        push_event({jute::event_type::none, jute::keeper_state::sync_connected, {}});
        arm_deadline(c);
        asio::co_spawn(ex, writer(self, c), asio::detached);
        asio::co_spawn(ex, reader(self, c), asio::detached);
        asio::co_spawn(ex, pinger(self, c), asio::detached);
        co_return result<void>{};
    }

    task<result<void>> close()
    {
        auto self = shared_from_this();
        if (state != session_state::connected) {
            state = session_state::idle;
            session_id = 0;
            co_return result<void>{};
        }
        auto c = conn;
        const std::int32_t xid = take_xid();
        closing = true;
        auto r = co_await call(xid, jute::encode_close(xid));
        if (c) teardown(c, error::closed, jute::keeper_state::closed, session_state::idle);
        closing = false;
        state = session_state::idle;
        session_id = 0;
        if (!r) co_return fail(r.error());
        co_return result<void>{};
    }
};

} // namespace detail

PGWARDEN_DECL session::session(boost::asio::any_io_executor ex, session_options options)
    : impl_(std::make_shared<detail::session_impl>(std::move(ex), std::move(options)))
{
}

PGWARDEN_DECL session::~session()
{
    if (impl_->conn) {
        impl_->teardown(impl_->conn, error::closed, jute::keeper_state::closed, session_state::idle);
    }
}

PGWARDEN_DECL task<result<void>> session::connect()
{
    return impl_->connect();
}

PGWARDEN_DECL task<result<void>> session::close()
{
    return impl_->close();
}

PGWARDEN_DECL void session::drop_connection()
{
    if (impl_->conn)
        impl_->teardown(impl_->conn, error::connection_loss, jute::keeper_state::disconnected,
                        session_state::disconnected);
}

PGWARDEN_DECL session_state session::state() const noexcept
{
    return impl_->state;
}

PGWARDEN_DECL std::int64_t session::session_id() const noexcept
{
    return impl_->session_id;
}

PGWARDEN_DECL std::chrono::milliseconds session::timeout() const noexcept
{
    return impl_->negotiated;
}

PGWARDEN_DECL std::int64_t session::last_zxid() const noexcept
{
    return impl_->last_zxid;
}

PGWARDEN_DECL task<result<std::string>> session::create(std::string path, std::string data,
                                                        jute::create_mode mode, std::vector<jute::acl> acls)
{
    auto impl = impl_;
    const std::int32_t xid = impl->take_xid();
    auto body = co_await impl->call(xid, jute::encode_create(xid, path, data, acls, mode));
    if (!body) co_return fail(body.error());
    co_return jute::decode_create_response(*body);
}

PGWARDEN_DECL task<result<void>> session::remove(std::string path, std::int32_t version)
{
    auto impl = impl_;
    const std::int32_t xid = impl->take_xid();
    auto body = co_await impl->call(xid, jute::encode_delete(xid, path, version));
    if (!body) co_return fail(body.error());
    co_return result<void>{};
}

PGWARDEN_DECL task<result<std::optional<jute::stat>>> session::exists(std::string path, bool watch)
{
    auto impl = impl_;
    const std::int32_t xid = impl->take_xid();
    auto body = co_await impl->call(xid, jute::encode_exists(xid, path, watch));
    if (!body) {
        if (body.error() == error::no_node) co_return std::optional<jute::stat>{};
        co_return fail(body.error());
    }
    auto s = jute::decode_stat_response(*body);
    if (!s) co_return fail(s.error());
    co_return std::optional<jute::stat>{*s};
}

PGWARDEN_DECL task<result<node>> session::get(std::string path, bool watch)
{
    auto impl = impl_;
    const std::int32_t xid = impl->take_xid();
    auto body = co_await impl->call(xid, jute::encode_get_data(xid, path, watch));
    if (!body) co_return fail(body.error());
    auto d = jute::decode_get_data_response(*body);
    if (!d) co_return fail(d.error());
    co_return node{std::move(d->data), d->stat};
}

PGWARDEN_DECL task<result<jute::stat>> session::set(std::string path, std::string data, std::int32_t version)
{
    auto impl = impl_;
    const std::int32_t xid = impl->take_xid();
    auto body = co_await impl->call(xid, jute::encode_set_data(xid, path, data, version));
    if (!body) co_return fail(body.error());
    co_return jute::decode_stat_response(*body);
}

PGWARDEN_DECL task<result<jute::children_response>> session::get_children(std::string path, bool watch)
{
    auto impl = impl_;
    const std::int32_t xid = impl->take_xid();
    auto body = co_await impl->call(xid, jute::encode_get_children2(xid, path, watch));
    if (!body) co_return fail(body.error());
    co_return jute::decode_get_children2_response(*body);
}

PGWARDEN_DECL task<result<session_event>> session::next_event(std::chrono::milliseconds timeout)
{
    auto impl = impl_;
    if (impl->events.empty()) {
        impl->event_wake.reset();
        co_await impl->event_wake.wait(timeout);
    }
    if (impl->events.empty()) co_return fail(pgwarden::error::timeout);
    session_event e = std::move(impl->events.front());
    impl->events.pop_front();
    co_return e;
}

PGWARDEN_DECL std::size_t session::queued_events() const noexcept
{
    return impl_->events.size();
}

} // namespace pgwarden::dcs::zookeeper
