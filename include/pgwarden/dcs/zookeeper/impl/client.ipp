#pragma once
#include <pgwarden/dcs/codec.hpp>
#include <pgwarden/dcs/keys.hpp>
#include <pgwarden/dcs/zookeeper/client.hpp>

#include <algorithm>
#include <charconv>
#include <limits>

// GCC 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known
// false positive after inlining; see etcd3/impl/client.ipp). This file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace pgwarden::dcs::zookeeper {

PGWARDEN_DECL result<client> client::create(boost::asio::any_io_executor ex, config_type cfg)
{
    if (cfg.hosts.empty()) return fail(error::bad_config);
    const std::string& first = cfg.hosts.front();
    const auto colon = first.rfind(':');
    store_config sc;
    sc.session.host = colon == std::string::npos ? first : first.substr(0, colon);
    unsigned port = 2181;
    if (colon != std::string::npos) {
        const char* b = first.data() + colon + 1;
        const char* e = first.data() + first.size();
        auto [p, ec] = std::from_chars(b, e, port);
        if (ec != std::errc{} || p != e || port == 0 || port > 65535) return fail(error::bad_config);
    }
    sc.session.port = static_cast<unsigned short>(port);
    sc.session.session_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.ttl);
    sc.session.connect_timeout = std::max<std::chrono::milliseconds>(
        std::chrono::seconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(cfg.retry_timeout) / 2);
    sc.namespace_name = cfg.namespace_name;
    sc.scope = cfg.scope;
    sc.name = cfg.name;
    auto st = std::make_unique<zookeeper::store>(std::move(ex), std::move(sc));
    return client(std::move(cfg), std::move(st));
}

PGWARDEN_DECL task<result<void>> client::start()
{
    return ensure_connected();
}

PGWARDEN_DECL task<result<void>> client::ensure_connected()
{
    auto& s = store_->session();
    if (s.state() == session_state::connected) co_return result<void>{};
    auto r = co_await s.connect();
    if (!r && r.error() == error::session_expired) r = co_await s.connect();   // a new session
    co_return r;
}

PGWARDEN_DECL task<result<cluster_snapshot>> client::load_cluster()
{
    if (auto c = co_await ensure_connected(); !c) co_return fail(c.error());
    co_return co_await store_->load_cluster();
}

PGWARDEN_DECL task<result<bool>> client::try_initialize(const std::string& sysid)
{
    if (auto c = co_await ensure_connected(); !c) co_return fail(c.error());
    co_return co_await store_->try_initialize(sysid);
}

PGWARDEN_DECL task<result<void>> client::set_initialize(const std::string& sysid)
{
    auto w = co_await write(key::initialize, sysid, 0);
    if (!w) co_return fail(w.error());
    if (!*w) co_return fail(error::node_exists);
    co_return result<void>{};
}

PGWARDEN_DECL task<result<void>> client::cancel_initialize()
{
    if (auto c = co_await ensure_connected(); !c) co_return fail(c.error());
    const std::string path = full_key(store_->base(), key::initialize);
    auto n = co_await store_->session().get(path);
    if (!n) {
        if (n.error() == error::no_node) co_return result<void>{};
        co_return fail(n.error());
    }
    auto d = co_await store_->session().remove(path, n->stat.version);
    if (!d && d.error() != error::no_node) co_return fail(d.error());
    co_return result<void>{};
}

PGWARDEN_DECL task<result<bool>> client::acquire_leader(const leader_claim& claim)
{
    if (auto c = co_await ensure_connected(); !c) co_return fail(c.error());
    co_return co_await store_->acquire_leader(claim);
}

PGWARDEN_DECL task<result<bool>> client::renew_leader(const leader_claim& claim, dcs_version)
{
    if (auto c = co_await ensure_connected(); !c) co_return fail(c.error());
    co_return co_await store_->renew_leader(claim);
}

PGWARDEN_DECL task<result<bool>> client::release_leader(dcs_version)
{
    if (auto c = co_await ensure_connected(); !c) co_return fail(c.error());
    co_return co_await store_->release_leader();
}

PGWARDEN_DECL task<result<void>> client::publish_member(const member_data& me)
{
    if (auto c = co_await ensure_connected(); !c) co_return fail(c.error());
    co_return co_await store_->publish_member(me);
}

PGWARDEN_DECL task<result<bool>> client::write(std::string_view relative, std::string value, dcs_version v)
{
    if (auto c = co_await ensure_connected(); !c) co_return fail(c.error());
    std::optional<std::int32_t> version;
    if (v != 0) {
        if (v < 0 || v > std::numeric_limits<std::int32_t>::max()) co_return false;   // cannot match
        version = static_cast<std::int32_t>(v);
    }
    auto r = co_await store_->set_value(relative, std::move(value), version);
    if (!r) co_return fail(r.error());
    co_return r->has_value();
}

PGWARDEN_DECL task<result<bool>> client::write_sync(const sync_record& sync, dcs_version v)
{
    return write(key::sync, encode_sync(sync), v);
}

PGWARDEN_DECL task<result<bool>> client::delete_sync(dcs_version v)
{
    return write(key::sync, "{}", v);
}

PGWARDEN_DECL task<result<bool>> client::write_failover(const failover_record& fo, dcs_version v)
{
    return write(key::failover, encode_failover(fo), v);
}

PGWARDEN_DECL task<result<bool>> client::write_config(const std::string& json, dcs_version v)
{
    return write(key::config, json, v);
}

namespace detail {
inline result<void> written(const result<bool>& w)
{
    if (!w) return fail(w.error());
    if (!*w) return fail(error::node_exists);   // lost a create race with another writer
    return result<void>{};
}
} // namespace detail

PGWARDEN_DECL task<result<void>> client::write_status(const status_record& st)
{
    co_return detail::written(co_await write(key::status, encode_status(st), 0));
}

PGWARDEN_DECL task<result<void>> client::write_history(const history_record& hist)
{
    co_return detail::written(co_await write(key::history, encode_history(hist), 0));
}

PGWARDEN_DECL task<result<void>> client::write_failsafe(const std::string& json)
{
    co_return detail::written(co_await write(key::failsafe, json, 0));
}

PGWARDEN_DECL task<result<bool>> client::wait_for_change(dcs_version, std::chrono::milliseconds t)
{
    auto& s = store_->session();
    bool woke = false;
    while (s.queued_events() > 0) {
        (void)co_await s.next_event(std::chrono::milliseconds(0));
        woke = true;
    }
    if (woke) co_return true;
    auto e = co_await s.next_event(t + std::chrono::milliseconds(500));
    if (e) {
        while (s.queued_events() > 0) (void)co_await s.next_event(std::chrono::milliseconds(0));
        co_return true;
    }
    if (e.error() == pgwarden::error::timeout) co_return false;
    co_return fail(e.error());
}

namespace detail {
inline task<result<void>> remove_tree(session& s, std::string path)
{
    auto kids = co_await s.get_children(path);
    if (!kids) {
        if (kids.error() == error::no_node) co_return result<void>{};
        co_return fail(kids.error());
    }
    for (const auto& k : kids->children) {
        auto r = co_await remove_tree(s, path + "/" + k);
        if (!r) co_return r;
    }
    auto d = co_await s.remove(path);
    if (!d && d.error() != error::no_node) co_return fail(d.error());
    co_return result<void>{};
}
} // namespace detail

PGWARDEN_DECL task<result<void>> client::delete_cluster()
{
    if (auto c = co_await ensure_connected(); !c) co_return fail(c.error());
    co_return co_await detail::remove_tree(store_->session(), store_->base());
}

} // namespace pgwarden::dcs::zookeeper

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
