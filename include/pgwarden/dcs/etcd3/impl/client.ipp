#pragma once
#include <pgwarden/clock/steady_source.hpp>
#include <pgwarden/core/assert.hpp>
#include <pgwarden/core/mark.hpp>
#include <pgwarden/dcs/codec.hpp>
#include <pgwarden/dcs/etcd3/client.hpp>
#include <pgwarden/dcs/etcd3/detail/wire.hpp>
#include <pgwarden/dcs/keys.hpp>
#include <pgwarden/http/client.hpp>
#include <pgwarden/http/dns.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <optional>

// GCC 12 reports -Wmismatched-new-delete for Asio's awaitable frames (its
// operator new/delete pair is matched; the warning is a known false positive
// after inlining). Silenced for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace pgwarden::dcs::etcd3 {

namespace detail {
/// result<bool> cannot be built from an error_code implicitly (it converts to bool).
inline result<bool> fail_bool(error_code ec) noexcept
{
    return result<bool>(boost::system::in_place_error, ec);
}
} // namespace detail

struct client::state {
    boost::asio::any_io_executor ex;
    config_type cfg;
    std::optional<http::client> http;
    clock::steady_source clock;
    std::optional<std::string> username, password;
    bool use_proxies = false;
    std::string base;            ///< `/service/demo`
    std::string scope_prefix;    ///< `/service/demo/`
    std::string leader_key;

    std::string api;             ///< `/v3` once /version was read
    bool authenticated = false;

    // The endpoint list (Patroni's machines cache, etcd.py).
    std::vector<http::endpoint> seeds;   ///< from proxy / url / hosts / host
    bool srv = false;                    ///< ask DNS SRV before the seeds
    bool need_seeds = true;              ///< (re)load from SRV/seeds: at start and after total failure
    bool need_topology = true;           ///< the member list must be read before going on
    mono_time topology_at{};             ///< when the member list was last read
    std::vector<http::endpoint> srv_cache;
    mono_time srv_at{};
    wire::term_guard terms;
    std::string last_failure;
    statistics stats;

    /// Our member key as the last snapshot showed it (touch_member's cache).
    struct {
        std::string value;
        std::int64_t lease = 0;
        mono_time valid_until{};
        bool valid = false;
    } my_member;

    std::int64_t lease = 0;
    std::chrono::seconds lease_ttl{0};
    std::chrono::seconds current_ttl{30};
    bool lease_refreshed_this_cycle = false;

    std::int64_t last_revision = 0;
    std::int64_t last_write_revision = 0;
    std::int64_t leader_lease = 0;   ///< lease of the leader key in the last snapshot
    std::string leader_name;         ///< value of the leader key in the last snapshot

    std::chrono::milliseconds request_timeout() const
    {
        const auto n = std::max<std::size_t>(1, http->endpoints().size());
        auto t = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.retry_timeout) /
                 static_cast<long>(2 * n);
        return std::max<std::chrono::milliseconds>(t, std::chrono::seconds(1));
    }

    http::request post(std::string_view method, std::string body) const
    {
        http::request r;
        r.verb = http::method::post;
        r.target = api + std::string(method);
        r.body = std::move(body);
        r.content_type = "application/json";
        r.timeout = request_timeout();
        return r;
    }

    task<void> sleep(std::chrono::milliseconds d)
    {
        boost::asio::steady_timer t(ex, d);
        auto [ec] = co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        (void)ec;   // cancellation only shortens the sleep
    }

    task<void> sleep_until(mono_time deadline)
    {
        const auto now = clock.now();
        if (now < deadline)
            co_await sleep(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    }

    /// POST /auth/authenticate; sets the authorization header.
    task<result<void>> authenticate()
    {
        http->set_default_header("authorization", "");
        authenticated = false;
        ++stats.requests;
        ++stats.authentications;
        auto r = co_await http->send(post("/auth/authenticate",
                                          wire::auth_request(username.value_or(""), password.value_or(""))));
        if (!r) co_return transport_error(r.error());
        if (r->status >= 400) {
            auto st = wire::parse_error(r->body);
            if (st && wire::classify(*st) == wire::reaction::auth_not_enabled) {
                authenticated = true;   // nothing to send
                co_return result<void>{};
            }
            if (st && wire::classify(*st) == wire::reaction::retry_other_node) {
                http->rotate();
                co_return error::unreachable;
            }
            co_return error::auth_failed;
        }
        auto token = wire::parse_token(r->body);
        if (!token) co_return token.error();
        http->set_default_header("authorization", *token);
        authenticated = true;
        PGWARDEN_MARK("etcd3: authenticated");
        co_return result<void>{};
    }

    /// Maps an HTTP transport failure to ours, keeping its detail.
    error_code transport_error(const error_code& ec)
    {
        last_failure = http->last_failure();
        if (ec == http::error::tls_failed || ec == http::error::tls_config) return error::tls_failed;
        return error::unreachable;
    }

    std::chrono::milliseconds refresh_interval() const
    {
        return cfg.topology_refresh.value_or(std::chrono::duration_cast<std::chrono::milliseconds>(cfg.ttl * 10));
    }

    /// The endpoints named by DNS SRV (Patroni's _get_machines_cache_from_srv):
    /// the first service name in wire::srv_queries order that yields any.
    task<std::vector<http::endpoint>> from_srv()
    {
        // After a total failure the seeds are reloaded on every retry; DNS
        // is asked again only when its last answer is older than loop_wait.
        if (!srv_cache.empty() && clock.now() - srv_at < cfg.loop_wait) co_return srv_cache;
        ++stats.srv_lookups;
        http::dns::resolver_options o;
        o.resolv_conf = cfg.resolv_conf;
        o.timeout = std::chrono::seconds(1);
        o.attempts = 1;
        for (const auto& ns : cfg.dns_nameservers)
            if (auto ep = http::parse_host_port(ns, "http", 53)) o.nameservers.push_back({ep->host, ep->port});
        std::vector<http::endpoint> out;
        for (const auto& q : wire::srv_queries(*cfg.srv, cfg.srv_suffix.value_or(""))) {
            auto records = co_await http::dns::resolve_srv(ex, q.name, o);
            if (!records) continue;
            for (const auto& r : *records) {
                const http::endpoint ep{q.protocol, r.target, r.port};
                if (!q.peer) {
                    out.push_back(ep);
                    continue;
                }
                auto urls = co_await peer_members(ep);
                for (const auto& u : urls) out.push_back(u);
                if (!urls.empty()) break;   // as Patroni: the first peer that answers
            }
            if (!out.empty()) {
                PGWARDEN_MARK("etcd3: endpoints from DNS SRV");
                break;
            }
        }
        std::vector<http::endpoint> unique;
        for (auto& e : out)
            if (std::find(unique.begin(), unique.end(), e) == unique.end()) unique.push_back(std::move(e));
        srv_cache = unique;
        srv_at = clock.now();
        co_return unique;
    }

    /// `GET /members` on an etcd peer URL (an `_etcd-server` target); the
    /// certificate is not verified, as Patroni (`verify=False`).
    task<std::vector<http::endpoint>> peer_members(http::endpoint peer)
    {
        http::client_options opts;
        opts.endpoints = {peer};
        opts.tls.cert_file = cfg.cert.value_or("");
        opts.tls.key_file = cfg.key.value_or("");
        opts.tls.verify = false;
        opts.max_idle_connections = 0;
        std::vector<http::endpoint> out;
        auto c = http::client::create(ex, std::move(opts));
        if (!c) co_return out;
        http::request r;
        r.target = "/members";
        r.timeout = request_timeout();
        auto m = co_await c->send(std::move(r));
        if (!m || m->status >= 400) co_return out;
        if (auto urls = wire::parse_peer_members(m->body))
            for (const auto& u : *urls)
                if (auto p = http::parse_url(u)) out.push_back(p->where);
        co_return out;
    }

    /** Reads /cluster/member/list and adopts it (Patroni's
     *  _refresh_machines_cache): the node we talk to stays current when it
     *  is a member; the list is replaced only when it differs as a set. A
     *  refusal (no permission) keeps the list we have. */
    task<result<void>> refresh_topology()
    {
        ++stats.requests;
        auto m = co_await http->send(post("/cluster/member/list", "{}"));
        if (!m) co_return transport_error(m.error());
        topology_at = clock.now();
        need_topology = false;
        ++stats.topology_refreshes;
        if (m->status >= 400) co_return result<void>{};
        auto urls = wire::parse_member_urls(m->body);
        std::vector<http::endpoint> eps;
        if (urls)
            for (const auto& u : *urls)
                if (auto p = http::parse_url(u))
                    if (std::find(eps.begin(), eps.end(), p->where) == eps.end()) eps.push_back(p->where);
        if (eps.empty()) co_return result<void>{};
        const auto cur = http->current_endpoint();
        if (auto it = std::find(eps.begin(), eps.end(), cur); it != eps.end()) std::rotate(eps.begin(), it, it + 1);
        auto have = http->endpoints();
        auto want = eps;
        std::sort(have.begin(), have.end(), [](const auto& a, const auto& b) { return a.to_string() < b.to_string(); });
        std::sort(want.begin(), want.end(), [](const auto& a, const auto& b) { return a.to_string() < b.to_string(); });
        if (have != want) {
            http->set_endpoints(std::move(eps));
            PGWARDEN_MARK("etcd3: discovered members");
        }
        co_return result<void>{};
    }

    /** Endpoints, /version, authentication, the member list. The endpoint
     *  list is (re)loaded from DNS SRV / the configuration at start and
     *  after every endpoint failed (Patroni's _load_machines_cache), merged
     *  with the last known members; the member list is read then and every
     *  refresh_interval() (Patroni: 10 x ttl), or soon after a failover. */
    task<result<void>> handshake()
    {
        if (need_seeds) {
            std::vector<http::endpoint> eps;
            if (srv) eps = co_await from_srv();
            if (eps.empty()) eps = seeds;
            if (eps.empty()) {
                last_failure = "DNS SRV lookup for " + cfg.srv.value_or("") + " found no etcd endpoint";
                co_return error::discovery_failed;
            }
            for (const auto& e : http->endpoints())
                if (std::find(eps.begin(), eps.end(), e) == eps.end()) eps.push_back(e);
            if (eps != http->endpoints()) http->set_endpoints(std::move(eps));
            need_seeds = false;
            need_topology = !use_proxies;
        }
        if (api.empty()) {
            http::request r;
            r.target = "/version";
            r.timeout = request_timeout();
            auto v = co_await http->send(std::move(r));
            if (!v) {
                need_seeds = true;
                co_return transport_error(v.error());
            }
            if (v->status >= 400) co_return error::unreachable;
            auto prefix = wire::parse_version_prefix(v->body);
            if (!prefix) co_return prefix.error();
            api = *prefix;
        }
        if (username && !authenticated) {
            auto a = co_await authenticate();
            if (!a) co_return a.error();
        }
        if (use_proxies) co_return result<void>{};
        if (need_topology) co_return co_await refresh_topology();
        if (clock.now() - topology_at >= refresh_interval()) {
            PGWARDEN_MARK("etcd3: periodic member list refresh");
            (void)co_await refresh_topology();   // best effort: the request itself fails over
        }
        co_return result<void>{};
    }

    /** Runs one RPC inside the retry budget (dcs.md 5.1): connection
     *  problems, gRPC 14/4/9 and "not a primary lessor" are retried (max 1 s
     *  apart) until retry_timeout; auth errors re-authenticate once. */
    task<result<std::string>> call(std::string_view method, std::string body)
    {
        const auto deadline = clock.now() + cfg.retry_timeout;
        std::chrono::milliseconds backoff{100};
        bool reauthenticated = false;
        std::size_t stale_switches = 0;
        error_code last = error::unreachable;
        for (;;) {
            bool wait = true;
            if (auto h = co_await handshake(); !h) {
                if (h.error() != condition::unavailable) co_return h.error();
                last = h.error();
            } else {
                const auto before = http->current_endpoint();
                ++stats.requests;
                auto r = co_await http->send(post(method, body));
                if (!r) {
                    last = transport_error(r.error());
                    need_seeds = true;   // every endpoint failed: reload them (Patroni)
                } else if (r->status < 400) {
                    auto h = wire::parse_header_only(r->body);
                    if (h && !terms.observe(h->cluster_id, h->raft_term)) {
                        // Patroni's StaleEtcdNode: a node cut off from the
                        // majority answers with an old term; use another.
                        PGWARDEN_MARK("etcd3: stale node, next node");
                        ++stats.stale_node_switches;
                        http->rotate();
                        last = error::unreachable;
                        last_failure = before.to_string() + ": stale raft term";
                        if (++stale_switches < http->endpoints().size()) wait = false;
                    } else {
                        if (!(http->current_endpoint() == before) && !use_proxies)
                            topology_at = mono_time{};   // failed over: re-read the members soon
                        co_return std::move(r->body);
                    }
                } else {
                    auto st = wire::parse_error(r->body);
                    if (!st) co_return error::server_error;
                    switch (wire::classify(*st)) {
                    case wire::reaction::retry_other_node:
                        PGWARDEN_MARK("etcd3: grpc unavailable, next node");
                        http->rotate();
                        last = error::unreachable;
                        break;
                    case wire::reaction::retry: last = error::unreachable; break;
                    case wire::reaction::lease_not_found: co_return error::lease_not_found;
                    case wire::reaction::reauthenticate:
                        if (!username) co_return error::permission_denied;
                        if (reauthenticated) co_return error::permission_denied;
                        PGWARDEN_MARK("etcd3: re-authenticate");
                        reauthenticated = true;
                        if (auto a = co_await authenticate(); !a) {
                            if (a.error() != condition::unavailable) co_return a.error();
                            last = a.error();
                        } else {
                            wait = false;
                        }
                        break;
                    case wire::reaction::auth_not_enabled:
                        http->set_default_header("authorization", "");
                        if (reauthenticated) co_return error::server_error;
                        reauthenticated = true;
                        wait = false;
                        break;
                    case wire::reaction::fail: co_return error::server_error;
                    }
                }
            }
            if (!wait) continue;
            if (clock.now() + backoff >= deadline) break;
            co_await sleep(backoff);
            backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(1));
        }
        PGWARDEN_MARK("etcd3: retries exhausted");
        if (last == error::tls_failed || last == error::discovery_failed) co_return last;
        co_return last == condition::unavailable ? make_error_code(error::unreachable) : last;
    }

    task<result<void>> grant(std::chrono::seconds ttl)
    {
        auto r = co_await call("/lease/grant", wire::lease_grant_request(ttl.count()));
        if (!r) co_return r.error();
        auto l = wire::parse_lease(*r);
        if (!l) co_return l.error();
        lease = l->id;
        lease_ttl = ttl;
        lease_refreshed_this_cycle = true;
        PGWARDEN_MARK("etcd3: lease granted");
        co_return result<void>{};
    }

    /// Keeps a lease of `ttl` alive: keepalive when forced or not yet done
    /// this cycle; a new lease when there is none, it expired or ttl changed.
    task<result<void>> ensure_lease(std::chrono::seconds ttl, bool force)
    {
        current_ttl = ttl;
        if (lease != 0 && lease_ttl != ttl) {
            PGWARDEN_MARK("etcd3: ttl changed, new lease");
            lease = 0;
        }
        if (lease != 0 && (force || !lease_refreshed_this_cycle)) {
            auto r = co_await call("/lease/keepalive", wire::lease_id_request(lease));
            if (!r) {
                if (r.error() != error::lease_not_found) co_return r.error();
                lease = 0;
            } else {
                auto l = wire::parse_lease(*r);
                if (!l || l->ttl <= 0) {
                    PGWARDEN_MARK("etcd3: lease expired");
                    lease = 0;
                } else {
                    lease_refreshed_this_cycle = true;
                }
            }
        }
        if (lease == 0) co_return co_await grant(ttl);
        co_return result<void>{};
    }

    task<result<wire::txn_response>> txn(std::string body)
    {
        auto r = co_await call("/kv/txn", std::move(body));
        if (!r) co_return r.error();
        auto t = wire::parse_txn(*r);
        if (t && (t->succeeded || t->nested_succeeded)) last_write_revision = t->header.revision;
        co_return t;
    }

    task<result<void>> put(std::string_view relative, std::string_view value, std::int64_t with_lease)
    {
        auto r = co_await call("/kv/put", wire::put_request(full(relative), value, with_lease));
        if (!r) co_return r.error();
        if (auto h = wire::parse_header_only(*r)) last_write_revision = h->revision;
        co_return result<void>{};
    }

    /// CAS put when v != 0, plain put otherwise.
    task<result<bool>> put_maybe_cas(std::string_view relative, std::string_view value, dcs_version v)
    {
        if (v == 0) {
            auto p = co_await put(relative, value, 0);
            if (!p) co_return detail::fail_bool(p.error());
            co_return true;
        }
        auto t = co_await txn(wire::cas_put_txn(full(relative), value, v, 0));
        if (!t) co_return detail::fail_bool(t.error());
        co_return t->succeeded;
    }

    std::string full(std::string_view relative) const { return dcs::full_key(base, relative); }

    task<result<cluster_snapshot>> load(bool serializable)
    {
        auto r = co_await call("/kv/range", wire::range_request(scope_prefix, wire::prefix_end(scope_prefix),
                                                                serializable));
        my_member.valid = false;   // Patroni drops its cache on any read failure
        if (!r) co_return r.error();
        auto range = wire::parse_range(*r);
        if (!range) co_return range.error();
        const std::string my_key = dcs::member_key(cfg.name);
        my_member.value.clear();
        my_member.lease = 0;
        std::vector<raw_entry> entries;
        entries.reserve(range->kvs.size());
        leader_lease = 0;
        leader_name.clear();
        for (auto& kv : range->kvs) {
            auto rel = dcs::relative_key(base, kv.key);
            if (!rel) continue;
            if (*rel == key::leader) {
                leader_lease = kv.lease;
                leader_name = kv.value;
            }
            if (*rel == my_key) {
                my_member.value = kv.value;
                my_member.lease = kv.lease;
            }
            raw_entry e;
            e.key = std::string(*rel);
            e.value = std::move(kv.value);
            e.version = kv.mod_revision;
            if (kv.lease != 0) e.session = std::to_string(kv.lease);
            entries.push_back(std::move(e));
        }
        last_revision = range->header.revision;
        // The snapshot stands for `ttl` (dcs.md 3.1), as Patroni's cluster cache.
        my_member.valid = true;
        my_member.valid_until = clock.now() + cfg.ttl;
        codec_warnings warnings;   // lenient reading: problems are not errors here
        co_return dcs::build_snapshot(entries, warnings);
    }

    /** Does this event wake the HA loop? Patroni's set (dcs.md 4.2): the
     *  leader key, `config`, and `status` / `optime/leader` on non-leaders.
     *  pgwarden adds, to react at once instead of at the next loop_wait tick
     *  (docs/notes/etcd3.md): `initialize` (a replica waiting for the
     *  bootstrap clones as soon as it finished), and on the leader the
     *  creation of another member's key (its replication slot is made at
     *  once). Our own renewal of the leader key never wakes us. */
    bool wakes(const wire::watch_event& ev) const
    {
        auto rel = dcs::relative_key(base, ev.kv.key);
        if (!rel) return false;
        const bool i_lead = leader_name == cfg.name;
        if (*rel == key::leader) return !(i_lead && !ev.is_delete && ev.kv.value == cfg.name);
        if (*rel == key::config || *rel == key::initialize) return true;
        if (*rel == key::status || *rel == key::legacy_optime) return !i_lead;
        if (i_lead && !ev.is_delete && ev.kv.version == 1 && rel->starts_with("members/") &&
            *rel != std::string("members/") + cfg.name)
            return true;
        return false;
    }
};

PGWARDEN_DECL result<client> client::create(boost::asio::any_io_executor ex, config_type cfg)
{
    auto eps = resolve_endpoints(cfg);
    if (!eps) return eps.error();
    http::client_options opts;
    opts.endpoints = eps->endpoints;
    opts.user_agent = "Patroni/" PGWARDEN_PATRONI_VERSION " pgwarden/" PGWARDEN_VERSION;
    opts.tls.ca_file = cfg.cacert.value_or("");
    opts.tls.cert_file = cfg.cert.value_or("");
    opts.tls.key_file = cfg.key.value_or("");
    opts.tls.verify = cfg.verify;
    auto h = http::client::create(ex, std::move(opts));
    if (!h) return h.error();
    auto s = std::make_shared<state>();
    s->ex = std::move(ex);
    s->http.emplace(std::move(*h));
    s->username = eps->username;
    s->password = eps->password;
    s->use_proxies = eps->use_proxies;
    s->seeds = eps->endpoints;
    s->srv = eps->srv;
    s->base = dcs::base_path(cfg.namespace_name, cfg.scope);
    s->scope_prefix = s->base + "/";
    s->leader_key = dcs::full_key(s->base, key::leader);
    s->current_ttl = cfg.ttl;
    s->cfg = std::move(cfg);
    return client(std::move(s));
}

PGWARDEN_DECL task<result<void>> client::start()
{
    auto s = s_;
    const auto deadline = s->clock.now() + s->cfg.retry_timeout;
    for (;;) {
        auto h = co_await s->handshake();
        if (h) break;
        if (h.error() != condition::unavailable || s->clock.now() >= deadline) co_return h.error();
        co_await s->sleep(std::chrono::milliseconds(500));
    }
    co_return co_await s->ensure_lease(s->current_ttl, false);
}

PGWARDEN_DECL task<result<cluster_snapshot>> client::load_cluster()
{
    auto s = s_;
    co_return co_await s->load(true);
}

PGWARDEN_DECL task<result<cluster_snapshot>> client::load_cluster_consistent()
{
    auto s = s_;
    co_return co_await s->load(false);
}

PGWARDEN_DECL task<result<bool>> client::try_initialize(const std::string& sysid)
{
    auto s = s_;
    auto t = co_await s->txn(wire::create_txn(s->full(key::initialize), sysid, 0));
    if (!t) co_return detail::fail_bool(t.error());
    co_return t->succeeded;
}

PGWARDEN_DECL task<result<void>> client::set_initialize(const std::string& sysid)
{
    auto s = s_;
    co_return co_await s->put(key::initialize, sysid, 0);
}

PGWARDEN_DECL task<result<void>> client::cancel_initialize()
{
    auto s = s_;
    auto r = co_await s->call("/kv/deleterange", wire::delete_request(s->full(key::initialize)));
    if (!r) co_return r.error();
    co_return result<void>{};
}

PGWARDEN_DECL task<result<bool>> client::acquire_leader(const leader_claim& claim)
{
    auto s = s_;
    const leader_claim c = claim;   // the reference may not outlive the first suspension
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (auto l = co_await s->ensure_lease(c.ttl, true); !l) co_return detail::fail_bool(l.error());
        auto t = co_await s->txn(wire::create_txn(s->leader_key, c.name, s->lease));
        if (!t) {
            if (t.error() == error::lease_not_found && attempt == 0) {
                PGWARDEN_MARK("etcd3: acquire: lease vanished, regrant");
                s->lease = 0;
                continue;
            }
            co_return detail::fail_bool(t.error());
        }
        if (t->succeeded) {
            s->leader_lease = s->lease;
            s->leader_name = c.name;
        } else {
            PGWARDEN_MARK("etcd3: acquire: lost the race");
        }
        co_return t->succeeded;
    }
    co_return detail::fail_bool(error::lease_not_found);
}

PGWARDEN_DECL task<result<bool>> client::renew_leader(const leader_claim& claim, dcs_version v)
{
    (void)v;   // etcd guards the refresh by value and lease, not by revision
    auto s = s_;
    const leader_claim c = claim;
    if (auto l = co_await s->ensure_lease(c.ttl, true); !l) co_return detail::fail_bool(l.error());
    if (s->lease != 0 && s->leader_lease != s->lease) {
        PGWARDEN_MARK("etcd3: renew: leader key on another lease");
        auto t = co_await s->txn(wire::leader_update_txn(s->leader_key, c.name, s->lease));
        if (!t) {
            if (t.error() == error::lease_not_found) {
                s->lease = 0;
                co_return false;
            }
            co_return detail::fail_bool(t.error());
        }
        const bool ok = t->succeeded || t->nested_succeeded;
        if (ok) {
            s->leader_lease = s->lease;
            s->leader_name = c.name;
        }
        co_return ok;
    }
    co_return s->lease != 0;
}

PGWARDEN_DECL task<result<bool>> client::release_leader(dcs_version v)
{
    (void)v;   // 4.x form: guarded by the value, not the revision
    auto s = s_;
    auto t = co_await s->txn(wire::leader_delete_txn(s->leader_key, s->cfg.name));
    if (!t) co_return detail::fail_bool(t.error());
    if (t->succeeded) {
        s->leader_lease = 0;
        s->leader_name.clear();
    }
    co_return t->succeeded;
}

PGWARDEN_DECL task<result<void>> client::publish_member(const member_data& me)
{
    auto s = s_;
    const std::string value = dcs::encode_member(me);
    const std::string member = dcs::member_key(s->cfg.name);
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (auto l = co_await s->ensure_lease(s->current_ttl, false); !l) co_return l.error();
        // Patroni's touch_member: nothing to write when the cached snapshot
        // shows this very data on our current lease.
        const auto& cached = s->my_member;
        if (cached.valid && s->clock.now() < cached.valid_until && cached.lease != 0 &&
            cached.lease == s->lease && wire::same_json(cached.value, value)) {
            PGWARDEN_MARK("etcd3: publish: unchanged, skipped");
            ++s->stats.member_writes_skipped;
            co_return result<void>{};
        }
        ++s->stats.member_writes;
        auto p = co_await s->put(member, value, s->lease);
        if (p) {
            s->my_member.value = value;   // what the watch would show Patroni's cache
            s->my_member.lease = s->lease;
            co_return p;
        }
        if (p.error() != error::lease_not_found || attempt == 1) co_return p.error();
        PGWARDEN_MARK("etcd3: publish: lease vanished, regrant");
        s->lease = 0;
    }
    co_return make_error_code(error::lease_not_found);
}

PGWARDEN_DECL task<result<bool>> client::write_sync(const sync_record& sync, dcs_version v)
{
    auto s = s_;
    co_return co_await s->put_maybe_cas(key::sync, dcs::encode_sync(sync), v);
}

PGWARDEN_DECL task<result<bool>> client::delete_sync(dcs_version v)
{
    auto s = s_;
    if (v == 0) {
        auto r = co_await s->call("/kv/deleterange", wire::delete_request(s->full(key::sync)));
        if (!r) co_return detail::fail_bool(r.error());
        co_return true;
    }
    auto t = co_await s->txn(wire::cas_delete_txn(s->full(key::sync), v));
    if (!t) co_return detail::fail_bool(t.error());
    co_return t->succeeded;
}

PGWARDEN_DECL task<result<bool>> client::write_failover(const failover_record& fo, dcs_version v)
{
    auto s = s_;
    co_return co_await s->put_maybe_cas(key::failover, dcs::encode_failover(fo), v);
}

PGWARDEN_DECL task<result<bool>> client::write_config(const std::string& json, dcs_version v)
{
    auto s = s_;
    const std::string value = json;
    co_return co_await s->put_maybe_cas(key::config, value, v);
}

PGWARDEN_DECL task<result<void>> client::write_status(const status_record& st)
{
    auto s = s_;
    co_return co_await s->put(key::status, dcs::encode_status(st), 0);
}

PGWARDEN_DECL task<result<void>> client::write_history(const history_record& hist)
{
    auto s = s_;
    co_return co_await s->put(key::history, dcs::encode_history(hist), 0);
}

PGWARDEN_DECL task<result<void>> client::write_failsafe(const std::string& json)
{
    auto s = s_;
    const std::string value = json;
    co_return co_await s->put(key::failsafe, value, 0);
}

PGWARDEN_DECL task<result<bool>> client::wait_for_change(dcs_version v, std::chrono::milliseconds t)
{
    auto s = s_;
    // The next cycle's first publish_member refreshes the lease (dcs.md 5.4).
    s->lease_refreshed_this_cycle = false;
    const auto deadline = s->clock.now() + t;
    if (v == 0 || s->last_revision == 0 || s->api.empty()) {
        co_await s->sleep_until(deadline);
        co_return false;
    }
    // An expired token shows as an error on the watch (an HTTP error status
    // or an error/cancel line at creation): authenticate and open it again,
    // once, so the wake-up does not wait for the next keyed request.
    for (int open = 0; open < 2; ++open) {
        auto req = s->post("/watch", wire::watch_request(s->scope_prefix, wire::prefix_end(s->scope_prefix),
                                                         s->last_revision + 1));
        req.timeout = std::min(t, req.timeout);
        auto st = co_await s->http->open_stream(std::move(req));
        if (!st) {
            PGWARDEN_MARK("etcd3: watch failed, sleeping");
            co_await s->sleep_until(deadline);
            co_return false;
        }
        const auto now = s->clock.now();
        if (now >= deadline) co_return false;
        st->expires_after(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
        bool reopen = false;
        for (bool first = true; !reopen; first = false) {
            auto line = co_await st->next_line();
            if (!line) {
                if (line.error() == http::error::timeout) co_return false;
                // Cancelled (the engine's wait ended first): return now. The
                // sleep would throw operation_aborted out of this coroutine,
                // once per HA cycle (docs/notes/footprint.md).
                if ((co_await boost::asio::this_coro::cancellation_state).cancelled() !=
                    boost::asio::cancellation_type::none)
                    co_return false;
                co_await s->sleep_until(deadline);
                co_return false;
            }
            if (line->find_first_not_of(" \t\r") == std::string::npos) continue;
            std::optional<wire::grpc_status> failure;
            auto msg = wire::parse_watch(*line);
            if (st->status() >= 400) failure = wire::parse_error(*line);
            else if (msg && msg->error) failure = msg->error;
            const bool auth_problem =
                failure ? wire::classify(*failure) == wire::reaction::reauthenticate
                        : (first && msg && msg->canceled && s->username.has_value());
            if (st->status() >= 400 || failure || (msg && msg->canceled)) {
                if (auth_problem && s->username && open == 0) {
                    PGWARDEN_MARK("etcd3: watch refused, re-authenticate");
                    auto a = co_await s->authenticate();
                    if (a) {
                        reopen = true;
                        continue;
                    }
                }
                co_await s->sleep_until(deadline);
                co_return false;
            }
            if (!msg) continue;
            if (msg->compact_revision != 0) {
                PGWARDEN_MARK("etcd3: watch compacted");
                co_return true;   // we missed events: make the loop re-read
            }
            for (const auto& ev : msg->events) {
                if (s->wakes(ev)) {
                    PGWARDEN_MARK("etcd3: watch woke the loop");
                    co_return true;
                }
            }
        }
    }
    co_await s->sleep_until(deadline);
    co_return false;
}

PGWARDEN_DECL task<result<void>> client::delete_cluster()
{
    auto s = s_;
    auto r = co_await s->call("/kv/deleterange",
                              wire::delete_request(s->scope_prefix, wire::prefix_end(s->scope_prefix)));
    if (!r) co_return r.error();
    co_return result<void>{};
}

PGWARDEN_DECL task<result<void>> client::revoke_lease()
{
    auto s = s_;
    if (s->lease == 0) co_return result<void>{};
    auto r = co_await s->call("/lease/revoke", wire::lease_id_request(s->lease));
    s->lease = 0;
    if (!r && r.error() != error::lease_not_found) co_return r.error();
    co_return result<void>{};
}

PGWARDEN_DECL std::int64_t client::lease_id() const noexcept { return s_->lease; }
PGWARDEN_DECL const client::statistics& client::stats() const noexcept { return s_->stats; }
PGWARDEN_DECL const std::string& client::last_failure() const noexcept { return s_->last_failure; }
PGWARDEN_DECL std::vector<http::endpoint> client::endpoints() const { return s_->http->endpoints(); }
PGWARDEN_DECL std::int64_t client::last_revision() const noexcept { return s_->last_revision; }
PGWARDEN_DECL std::int64_t client::last_write_revision() const noexcept { return s_->last_write_revision; }
PGWARDEN_DECL std::string client::key_of(std::string_view relative) const { return s_->full(relative); }
PGWARDEN_DECL const client::config_type& client::config() const noexcept { return s_->cfg; }

} // namespace pgwarden::dcs::etcd3

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
