// The daemon: wires configuration, one DCS client, the PostgreSQL
// controller, the watchdog, the HA engine and the REST API onto one
// io_context thread. `Binding` names the DCS (apps/pgwarden-<dcs>/binding.hpp):
//
//   struct binding {
//       using client = ...;                               // a dcs::client model
//       static constexpr std::string_view section = "etcd3";
//       static result<client> make(boost::asio::any_io_executor, const config::local_config&);
//   };
//
// No thread is started: everything, including PostgreSQL children and the
// REST API, runs on the thread that calls run_daemon.
#pragma once
#include "cli.hpp"
#include "daemon_support.hpp"
#include "failsafe_client.hpp"
#include "mapping.hpp"
#include "memory.hpp"
#include "pg_policy.hpp"
#include "watchdog_policy.hpp"
#include "generate_config.hpp"

#include <pgwarden/api/failsafe.hpp>
#include <pgwarden/api/server.hpp>
#include <pgwarden/clock/steady_source.hpp>
#include <pgwarden/config/dynamic.hpp>
#include <pgwarden/config/load.hpp>
#include <pgwarden/dcs/keys.hpp>
#include <pgwarden/http/client.hpp>
#include <pgwarden/http/host_resolver.hpp>
#include <pgwarden/log/logger.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <random>

extern char** environ;

namespace pgwarden::apps {

/// Tells systemd we are ready when NOTIFY_SOCKET is set (config.md 10.3).
inline void sd_notify(const config::environment& env, std::string_view message)
{
    auto it = env.find("NOTIFY_SOCKET");
    if (it == env.end() || it->second.empty()) return;
    std::string path = it->second;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return;
    std::copy(path.begin(), path.end(), addr.sun_path);
    if (path[0] == '@') addr.sun_path[0] = '\0';   // abstract namespace
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    (void)::sendto(fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&addr),
                   static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size()));
    ::close(fd);
}

/// A peer that did not answer (ha-loop.md 23: reachable == false).
inline ha::peer_status unreachable_peer(const std::string& name)
{
    ha::peer_status p;
    p.name = name;
    return p;
}

/// A 200 response with a JSON body (PATCH/PUT /config).
inline api::response json_response(std::string body)
{
    api::response r = api::text_response(200, std::move(body));
    r.content_type = "application/json";
    return r;
}

template <class Binding>
class daemon {
public:
    using dcs_client = typename Binding::client;
    using engine_type = ha::engine<dcs_client, pg_policy, watchdog_policy, clock::steady_source>;

    daemon(boost::asio::io_context& io, std::optional<std::filesystem::path> path, config::local_config local,
           config::environment env)
        : io_(io), path_(std::move(path)), local_(std::move(local)), env_(std::move(env)), logger_([] { return clock::steady_source{}.wall_now(); }),
          signals_(io, SIGTERM, SIGINT, SIGHUP)
    {
        (void)logger_.configure(local_.log);   // an unusable log dir falls back to stderr
    }

    /// Runs until shutdown; returns the exit code.
    task<int> run();

private:
    void log(log::level l, std::string_view text) { logger_.write(l, text); }
    void adopt(const config::dynamic_config& dyn);
    task<std::vector<ha::peer_status>> fetch_peers(std::vector<std::pair<std::string, std::string>> targets);
    task<api::response> execute(api::command cmd, api::response preliminary);
    task<api::response> switchover(api::switchover_command c);
    task<api::response> patch_config(std::string body, bool put);
    api::response receive_failsafe(const std::string& body);
    task<bool> post_failsafe(std::vector<std::pair<std::string, std::string>> targets);
    std::optional<dcs::member_record> failsafe_leader() const;
    void on_cycle(const ha::cycle_report& r);
    void publish_view(const ha::cycle_report& r);
    std::shared_ptr<const api::router> router_for_request();
    task<void> handle_signals();

    boost::asio::io_context& io_;
    std::optional<std::filesystem::path> path_;
    config::local_config local_;
    config::environment env_;
    log::logger logger_;
    boost::asio::signal_set signals_;

    config::effective_config effective_;
    ha::ha_config ha_config_;
    pg::controller_config pg_config_;
    std::optional<dcs_client> dcs_;
    std::unique_ptr<pg::libpq_controller> controller_;
    std::unique_ptr<pg_policy> pg_;
    std::unique_ptr<watchdog_policy> watchdog_;
    std::unique_ptr<engine_type> engine_;
    std::unique_ptr<api::server<>> server_;
    std::shared_ptr<const api::router> router_;
    mono_time view_at_{};                      ///< when router_ was built
    static constexpr std::chrono::milliseconds view_max_age{1000};
    api::restapi_settings restapi_;
    dcs::dcs_version config_modify_version_ = 0;
    std::string dynamic_json_;
    std::int64_t dcs_last_seen_ = 0;
    api::failsafe_receiver failsafe_;   ///< POST /failsafe received as a replica (ha-loop.md 17)
    bool stopping_ = false;
};

// ---- implementation -------------------------------------------------------------

template <class Binding>
void daemon<Binding>::adopt(const config::dynamic_config& dyn)
{
    std::vector<std::string> warnings;
    effective_ = config::merge_effective(local_, dyn, &warnings);
    for (const auto& w : warnings) log(log::level::warning, w);
    ha_config_ = to_ha_config(effective_);
    const std::string json = config::encode_dynamic(dyn);
    if (json != dynamic_json_) {
        dynamic_json_ = json;
        write_dynamic_cache(local_, json);
    }
}

template <class Binding>
task<std::vector<ha::peer_status>> daemon<Binding>::fetch_peers(
    std::vector<std::pair<std::string, std::string>> targets)
{
    // GET <api_url>, 2 s, no retries (ha-loop.md 23).
    // No structured bindings or co_await inside expressions that hold
    // temporaries across a suspension: GCC 12 miscompiles some of those.
    std::vector<ha::peer_status> out;
    const auto ex = co_await boost::asio::this_coro::executor;   // not inside an argument list
    for (std::size_t i = 0; i < targets.size(); ++i) {
        const std::string name = targets[i].first;
        auto u = http::parse_url(targets[i].second);
        if (!u) {
            out.push_back(unreachable_peer(name));
            continue;
        }
        http::client_options opts;
        opts.endpoints.push_back(u->where);
        opts.tls.verify = false;
        auto c = http::client::create(ex, std::move(opts));
        if (!c) {
            out.push_back(unreachable_peer(name));
            continue;
        }
        http::request req;
        req.target = u->target;
        req.timeout = std::chrono::seconds(2);
        auto resp = co_await c->send(std::move(req));
        if (resp) out.push_back(parse_peer_status(name, resp->body));
        else out.push_back(unreachable_peer(name));
    }
    co_return out;
}

template <class Binding>
void daemon<Binding>::on_cycle(const ha::cycle_report& r)
{
    if (r.cluster) {
        dcs_last_seen_ = std::chrono::duration_cast<std::chrono::seconds>(r.wall.time_since_epoch()).count();
        // A changed /config is adopted at once (ha-loop.md 1.2).
        if (r.cluster->config && r.cluster->config->modify_version != 0 &&
            r.cluster->config->modify_version != config_modify_version_) {
            config_modify_version_ = r.cluster->config->modify_version;
            std::vector<std::string> warnings;
            auto dyn = pick_dynamic(local_, r.cluster->config->json, &warnings);
            for (const auto& w : warnings) log(log::level::warning, w);
            adopt(dyn);
            engine_->set_config(ha_config_);
        }
    }
    // Patroni: Failsafe.set_is_active(0) on promotion: a primary remembers no failsafe leader.
    if (r.local && r.local->running && !r.local->in_recovery) failsafe_.reset();
    std::string msg = r.message;
    if (!msg.empty()) log(log::level::info, msg);
    publish_view(r);
    // Start-up code and data are resident after the first cycles and not
    // needed at rest: hand them back after cycles 1, 3 and 10 (a bootstrap
    // or clone has ended by then), then every 30 cycles for what a rare
    // event (switchover, rewind, a new connection) brought in. One release
    // reads /proc/self/smaps: well under a millisecond
    // (docs/notes/footprint.md).
    if (r.cycle == 1 || r.cycle == 3 || r.cycle == 10 || r.cycle % 30 == 0) {
        const auto released = release_startup_pages();
        log(log::level::debug, "released " + std::to_string(released.kib) + " KiB of start-up pages in " +
                                   std::to_string(released.mappings) + " mappings");
    }
}

template <class Binding>
void daemon<Binding>::publish_view(const ha::cycle_report& r)
{
    view_context ctx{&effective_, &ha_config_, r.mono + ha_config_.loop_wait, dcs_last_seen_, restapi_};
    api::api_view v = build_view(r, ctx);
    if (engine_ && engine_->scheduled_restart()) v.scheduled_restart = engine_->scheduled_restart()->json;
    // A replica reports failsafe_mode_is_active while it remembers a failsafe leader (Patroni:
    // Failsafe.is_active); the leader's own flag comes from the HA state.
    if (v.failsafe_mode && failsafe_.is_active(clock::steady_source{}.now(), ha_config_.ttl)) v.failsafe_active = true;
    router_ = std::make_shared<const api::router>(std::move(v));
    view_at_ = clock::steady_source{}.now();
}

template <class Binding>
std::shared_ptr<const api::router> daemon<Binding>::router_for_request()
{
    // The REST API answers from the last view; when that is older than
    // view_max_age, PostgreSQL is re-probed on the io_context for the next
    // request (Patroni queries PostgreSQL on every request; an idle daemon
    // that nobody asks then does no SQL between cycles).
    // docs/notes/footprint.md, docs/notes/engine.md.
    if (engine_ && clock::steady_source{}.now() - view_at_ > view_max_age) engine_->request_refresh();
    return router_;
}

template <class Binding>
api::response daemon<Binding>::receive_failsafe(const std::string& body)
{
    // ha-loop.md 17, rest-api.md 8.10 (the router answered 502 when failsafe_mode is off).
    const auto& local = engine_->last_report().local;
    const bool primary = local && local->running && !local->in_recovery;
    std::optional<lsn> own;
    if (local && local->running) {
        const lsn l = local->in_recovery ? std::max(local->receive_lsn, local->replay_lsn) : local->write_lsn;
        if (l.value != 0) own = l;
    }
    api::response r = failsafe_.accept(body, primary, own, clock::steady_source{}.now(), ha_config_.ttl);
    if (r.status == 200) {
        if (const auto* p = failsafe_.leader(clock::steady_source{}.now(), ha_config_.ttl))
            log(log::level::debug, "failsafe: accepted " + p->name + " as the leader");
        publish_view(engine_->last_report());   // failsafe_mode_is_active at once
    } else if (r.status == 400) {
        log(log::level::warning, "POST /failsafe: " + r.body);
    }
    return r;
}

template <class Binding>
std::optional<dcs::member_record> daemon<Binding>::failsafe_leader() const
{
    const auto* p = failsafe_.leader(clock::steady_source{}.now(), ha_config_.ttl);
    if (!p) return std::nullopt;
    dcs::member_record m;
    m.name = p->name;
    m.data.conn_url = p->conn_url;
    m.data.api_url = p->api_url;
    m.data.role = "primary";
    m.data.state = "running";
    return m;
}

template <class Binding>
task<bool> daemon<Binding>::post_failsafe(std::vector<std::pair<std::string, std::string>> targets)
{
    // ha-loop.md 17: {"name","conn_url","api_url","slots"}; slots are this node's slots as last
    // probed (physical: restart_lsn, logical: confirmed_flush_lsn) plus our own name with our
    // WAL position (Patroni: Postgresql.slots()).
    api::failsafe_post post;
    post.name = ha_config_.name;
    post.conn_url = ha_config_.conn_url;
    post.api_url = ha_config_.api_url;
    post.slots.emplace();
    if (const auto& local = engine_->last_report().local; local && local->running) {
        const std::string own = dcs::slot_name_from_member_name(ha_config_.name);
        for (const auto& s : local->slots)
            if (s.name != own)
                post.slots->emplace_back(s.name, s.type == "logical" ? s.confirmed_flush_lsn : s.restart_lsn);
        post.slots->emplace_back(own, local->write_lsn);
    }
    failsafe_client_options opts;
    if (local_.ctl.username && local_.ctl.password)
        opts.basic_auth.emplace(*local_.ctl.username, *local_.ctl.password);
    else if (local_.restapi.username && local_.restapi.password)
        opts.basic_auth.emplace(*local_.restapi.username, *local_.restapi.password);
    opts.log = [this](bool warning, const std::string& text) {
        log(warning ? log::level::warning : log::level::info, text);
    };
    const bool all = co_await post_failsafe_all(std::move(targets), api::encode_failsafe_post(post), std::move(opts));
    co_return all;
}

template <class Binding>
task<api::response> daemon<Binding>::switchover(api::switchover_command c)
{
    // rest-api.md 8.8 steps 6-9.
    auto cluster = co_await dcs_->load_cluster();
    if (!cluster) co_return api::text_response(503, "failed to write failover key into DCS");
    const bool scheduled = c.scheduled_at.has_value();
    if (!scheduled) {
        auto check = api::is_failover_possible(*cluster, router_->view().synchronous_mode, c);
        if (check.error) co_return api::text_response(412, *check.error);
        std::vector<std::pair<std::string, std::string>> targets;
        for (const auto& name : check.members_to_poll)
            if (auto* m = cluster->find_member(name); m && !m->data.api_url.empty())
                targets.emplace_back(name, m->data.api_url);
        bool good = false;
        const auto peers = co_await fetch_peers(targets);
        for (const auto& p : peers)
            if (p.reachable && !p.nofailover && !p.watchdog_failed) good = true;
        if (!good) co_return api::text_response(412, c.action + " is not possible: no good candidates have been found");
    }
    dcs::failover_record fo;
    fo.leader = c.leader.value_or("");
    fo.member = c.candidate.value_or("");
    if (scheduled) fo.scheduled_at = c.scheduled_at_iso;
    auto w = co_await dcs_->write_failover(fo, 0);
    if (!w || !*w) co_return api::text_response(503, "failed to write failover key into DCS");
    if (scheduled) co_return api::text_response(202, "Switchover scheduled");
    engine_->wake();
    const std::string old_leader = cluster->leader ? cluster->leader->name : std::string{};
    const bool is_failover = c.action == "failover";
    const auto limit = std::chrono::seconds(2 * std::max<std::int64_t>(10, ha_config_.loop_wait.count()));
    const auto deadline = clock::steady_source{}.now() + limit;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    while (clock::steady_source{}.now() < deadline) {
        // Patroni polls once a second; polling faster returns as soon as the new leader holds the key.
        timer.expires_after(std::chrono::milliseconds(50));
        (void)co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        auto now = co_await dcs_->load_cluster();
        if (!now) continue;
        if (now->leader && now->leader->name != old_leader) {
            const std::string& winner = now->leader->name;
            if (c.candidate && *c.candidate != winner)
                co_return api::text_response(200, std::string(is_failover ? "Failed over to \"" : "Switched over to \"") +
                                                      winner + "\" instead of \"" + *c.candidate + "\"");
            co_return api::text_response(200, std::string(is_failover ? "Successfully failed over to \""
                                                                      : "Successfully switched over to \"") +
                                                  winner + "\"");
        }
        if (!now->failover || now->failover->empty())
            if (!now->leader || now->leader->name == old_leader)
                if (now->leader) co_return api::text_response(503, is_failover ? "Failover failed" : "Switchover failed");
    }
    co_return api::text_response(503, std::string(is_failover ? "Failover" : "Switchover") +
                                          " status unknown after " + std::to_string(limit.count()) +
                                          " seconds; operation may still be in progress");
}

template <class Binding>
task<api::response> daemon<Binding>::patch_config(std::string body, bool put)
{
    namespace json = boost::json;
    auto cluster = co_await dcs_->load_cluster();
    if (!cluster) co_return api::error_response(503);
    boost::system::error_code ec;
    json::value patch = json::parse(body, ec);
    if (ec || !patch.is_object()) co_return api::error_response(400);
    if (put) {
        auto w = co_await dcs_->write_config(json::serialize(patch), 0);
        if (!w) co_return api::error_response(502);
        engine_->wake();
        co_return json_response(json::serialize(patch));
    }
    if (!cluster->config || cluster->config->modify_version == 0) co_return api::error_response(503);
    json::value current = json::parse(cluster->config->json, ec);
    if (ec || !current.is_object()) co_return api::error_response(503);
    // patch_config: null removes, objects merge recursively, scalars replace when their text differs.
    auto merge = [](auto& self, json::object& dst, const json::object& src) -> bool {
        bool changed = false;
        for (const auto& [k, v] : src) {
            if (v.is_null()) {
                changed |= dst.erase(k) > 0;
            } else if (auto* d = dst.if_contains(k); d && d->is_object() && v.is_object()) {
                changed |= self(self, d->as_object(), v.as_object());
            } else if (!d || json::serialize(*d) != json::serialize(v)) {
                dst[k] = v;
                changed = true;
            }
        }
        return changed;
    };
    if (merge(merge, current.as_object(), patch.as_object())) {
        auto w = co_await dcs_->write_config(json::serialize(current), cluster->config->version);
        if (!w || !*w) co_return api::error_response(409);
    }
    engine_->wake();
    co_return json_response(json::serialize(current));
}

template <class Binding>
task<api::response> daemon<Binding>::execute(api::command cmd, api::response preliminary)
{
    if (auto* s = std::get_if<api::switchover_command>(&cmd)) {
        auto r = co_await switchover(*s);
        co_return r;
    }
    if (auto* p = std::get_if<api::patch_config_command>(&cmd)) {
        auto r = co_await patch_config(p->body_json, false);
        co_return r;
    }
    if (auto* p = std::get_if<api::put_config_command>(&cmd)) {
        auto r = co_await patch_config(p->body_json, true);
        co_return r;
    }
    if (auto* f = std::get_if<api::failsafe_command>(&cmd)) co_return receive_failsafe(f->body_json);
    if (std::get_if<api::reload_command>(&cmd)) {
        ::raise(SIGHUP);
        co_return preliminary;
    }
    if (auto* r = std::get_if<api::reinitialize_command>(&cmd)) {
        engine_->request_reinitialize({r->force, r->from_leader});
        co_return api::text_response(200, "reinitialize started");
    }
    if (std::get_if<api::delete_switchover_command>(&cmd)) {
        auto cluster = co_await dcs_->load_cluster();
        if (!cluster) co_return api::error_response(503);
        if (!cluster->failover || !cluster->failover->scheduled_at)
            co_return api::text_response(404, "no switchover is scheduled");
        // A named object, not a braced temporary: GCC 12 destroys a `T{}` temporary inside a
        // co_await expression twice (free(): invalid pointer; docs/notes/interop.md).
        const dcs::failover_record cleared;
        auto w = co_await dcs_->write_failover(cleared, cluster->failover->version);
        if (!w || !*w) co_return api::error_response(409);
        co_return api::text_response(200, "scheduled switchover deleted");
    }
    if (std::get_if<api::delete_restart_command>(&cmd)) {
        if (!engine_->cancel_scheduled_restart()) co_return api::text_response(404, "no restarts are scheduled");
        co_return api::text_response(200, "scheduled restart deleted");
    }
    if (auto* r = std::get_if<api::restart_command>(&cmd); r && r->schedule) {
        // rest-api.md 8.5: one scheduled restart per node, run by decide at its time (§22),
        // cancelled when PostgreSQL restarts by other means before then.
        if (effective_.dynamic.pause) co_return api::text_response(500, "Can't schedule restart in the paused state");
        ha::local_requests::scheduled_restart sr;
        sr.at = *r->schedule;
        if (const auto& local = engine_->last_report().local) sr.postmaster_start = local->postmaster_start;
        if (r->timeout_s) sr.timeout = std::chrono::seconds(*r->timeout_s);
        boost::json::object published;
        published["schedule"] = r->schedule_iso;
        if (r->restart_pending) published["restart_pending"] = true;
        if (r->role) published["role"] = *r->role;
        if (r->postgres_version) published["postgres_version"] = *r->postgres_version;
        if (r->timeout_s) published["timeout"] = *r->timeout_s;
        sr.json = boost::json::serialize(published);
        if (!engine_->schedule_restart(std::move(sr)))
            co_return api::text_response(409, "Another restart is already scheduled");
        co_return api::text_response(202, "Restart scheduled");
    }
    if (auto* r = std::get_if<api::restart_command>(&cmd)) {
        ha::local_requests::restart_request req;
        if (r->timeout_s) req.timeout = std::chrono::seconds(*r->timeout_s);
        req.role = r->role;
        req.restart_pending_only = r->restart_pending;
        engine_->request_restart(req);
        co_return api::text_response(200, "restarted successfully");
    }
    co_return api::error_response(501);
}

template <class Binding>
task<void> daemon<Binding>::handle_signals()
{
    for (;;) {
        const auto waited = co_await signals_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (std::get<0>(waited)) co_return;
        const int sig = std::get<1>(waited);
        if (sig == SIGHUP) {
            // config.md 10.1: reload the local configuration.
            config::config_error why;
            auto fresh = config::load_config(path_, env_, &why);
            if (!fresh) {
                log(log::level::error, "reload: the configuration is invalid, keeping the old one: " + why.text());
                continue;
            }
            log(log::level::info, "Reloading configuration after SIGHUP");
            local_ = std::move(*fresh);
            (void)logger_.configure(local_.log);
            restapi_ = restapi_settings_from(local_);
            if (engine_) {
                adopt(effective_.dynamic);
                engine_->set_config(ha_config_);
                if (controller_) controller_->set_parameters(to_controller_config(effective_).parameters);
            }
            continue;
        }
        log(log::level::info, "received signal " + std::to_string(sig) + ": shutting down");
        stopping_ = true;
        if (engine_) engine_->request_shutdown();
    }
}

template <class Binding>
task<int> daemon<Binding>::run()
{
    boost::asio::co_spawn(io_, handle_signals(), boost::asio::detached);
    auto ex = co_await boost::asio::this_coro::executor;

    auto made = Binding::make(ex, local_);
    if (!made) {
        log(log::level::error, std::string("cannot configure the DCS client: ") + made.error().message());
        co_return 1;
    }
    dcs_.emplace(std::move(*made));
    boost::asio::steady_timer retry(ex);
    // Patroni: retry every 5 s until the DCS answers (ha-loop.md 1.2 step 1).
    std::optional<dcs::cluster_snapshot> first;
    while (!stopping_) {
        auto started = co_await dcs_->start();
        if (started) {
            auto c = co_await dcs_->load_cluster();
            if (c) {
                first = std::move(*c);
                break;
            }
        }
        log(log::level::error, "Can not get cluster from dcs");
        retry.expires_after(std::chrono::seconds(5));
        (void)co_await retry.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    if (!first) co_return 0;

    std::vector<std::string> warnings;
    std::optional<std::string> cfg_json;
    if (first->config && first->config->modify_version != 0) {
        cfg_json = first->config->json;
        config_modify_version_ = first->config->modify_version;
    }
    adopt(pick_dynamic(local_, cfg_json, &warnings));
    for (const auto& w : warnings) log(log::level::warning, w);
    pg_config_ = to_controller_config(effective_);
    controller_ = std::make_unique<pg::libpq_controller>(ex, pg_config_);
    pg_ = std::make_unique<pg_policy>(*controller_, pg_config_);
    const auto wmode = local_.watchdog.mode == config::watchdog_mode::off        ? watchdog_policy::mode::off
                       : local_.watchdog.mode == config::watchdog_mode::required ? watchdog_policy::mode::required
                                                                                 : watchdog_policy::mode::automatic;
    watchdog_ = std::make_unique<watchdog_policy>(wmode, local_.watchdog.device);
    restapi_ = restapi_settings_from(local_);

    ha::engine_hooks hooks;
    hooks.log = [this](ha::log_level l, std::string_view t) {
        log(l == ha::log_level::error     ? log::level::error
            : l == ha::log_level::warning ? log::level::warning
            : l == ha::log_level::debug   ? log::level::debug
                                          : log::level::info,
            t);
    };
    hooks.on_cycle = [this](const ha::cycle_report& r) { on_cycle(r); };
    hooks.on_refresh = [this](const ha::cycle_report& r) { publish_view(r); };
    hooks.refresh_interval = std::chrono::milliseconds(0);   // on demand: see router_for_request
    hooks.fetch_peers = [this](std::vector<std::pair<std::string, std::string>> t) { return fetch_peers(std::move(t)); };
    hooks.post_failsafe = [this](std::vector<std::pair<std::string, std::string>> t) { return post_failsafe(std::move(t)); };
    hooks.failsafe_leader = [this] { return failsafe_leader(); };
    std::random_device rd;   // apps/ may read entropy; the engine's rng is seeded once
    engine_ = std::make_unique<engine_type>(ex, *dcs_, *pg_, *watchdog_, clock::steady_source{}, ha_config_,
                                            std::move(hooks), (std::uint64_t{rd()} << 32) | rd());
    pg_->set_history_source([this] {
        const auto& snap = engine_->snapshot();
        std::pair<std::vector<dcs::history_line>, std::int64_t> out{{}, 0};
        if (snap && snap->history) out.first = snap->history->lines;
        if (snap) out.second = snap->timeline();
        // The leader's own published timeline counts too: `/history` is
        // written after the promotion, and may lag behind it.
        if (snap && snap->leader)
            if (const auto* m = snap->find_member(snap->leader->name); m && m->data.timeline)
                out.second = std::max(out.second, *m->data.timeline);
        return out;
    });
    pg_->set_slot_plan_source([this] {
        const auto& snap = engine_->snapshot();
        const auto& st = engine_->state();
        const bool leader = st.role == pg::pg_role::primary || st.role == pg::pg_role::standby_leader ||
                            st.role == pg::pg_role::promoted;
        const int version = engine_->last_report().local ? engine_->last_report().local->server_version : 150000;
        return snap ? desired_slots(*snap, engine_->config(), leader, version) : pg::slot_plan{};
    });

    // The REST API starts with an empty view and serves the real one after the first cycle.
    ha::cycle_report empty;
    empty.mono = clock::steady_source{}.now();
    router_ = std::make_shared<const api::router>(
        build_view(empty, view_context{&effective_, &ha_config_, empty.mono, 0, restapi_}));
    server_ = std::make_unique<api::server<>>(
        ex, [this] { return router_for_request(); },
        [] { return api::clock_reading{clock::steady_source{}.now(), clock::steady_source{}.wall_now()}; },
        [this](api::command c, api::response p, std::shared_ptr<const api::router>) {
            return execute(std::move(c), std::move(p));
        });
    auto ep = http::parse_host_port(local_.restapi.listen, "http", 8008);
    if (!ep) {
        log(log::level::error, "restapi.listen: cannot parse '" + local_.restapi.listen + "'");
        co_return 1;
    }
    boost::system::error_code ec;
    auto addr = boost::asio::ip::make_address(ep->host == "*" || ep->host.empty() ? "0.0.0.0" : ep->host, ec);
    if (ec) {
        // A host name: resolved by our own resolver (no thread, ADR 0001).
        auto resolver = http::default_host_resolver();
        auto found = co_await resolver->resolve(ex, ep->host);
        if (!found || found->empty()) {
            log(log::level::error, "restapi.listen " + local_.restapi.listen + ": cannot resolve '" + ep->host + "'");
            co_return 1;
        }
        addr = found->front();
    }
    if (auto l = server_->listen({addr, ep->port}); !l) {
        log(log::level::error, "restapi.listen " + local_.restapi.listen + ": " + l.error().message());
        co_return 1;
    }
    server_->start();
    sd_notify(env_, "READY=1");

    const int code = co_await engine_->run();
    server_->stop();
    signals_.cancel();
    logger_.flush();
    co_return code;
}

} // namespace pgwarden::apps

namespace pgwarden::apps {

/** The daemon's main: command line (config.md 1), configuration, then the
 *  daemon on one io_context thread. `--validate-config`, `--version`,
 *  `--help` and the sample-config options are handled by cli.hpp. */
template <class Binding>
int daemon_main(int argc, char** argv, std::string_view program)
{
    auto env = config::environment_from(environ);
    cli_options opts;
    if (int code = handle_cli(argc, argv, program, env, std::cout, std::cerr, opts); code != cli_continue) {
        if (code == cli_generate_config) return generate_config_command(opts, std::cout, std::cerr, env);
        return code;
    }
    config::config_error why;
    auto local = config::load_config(opts.config_file, env, &why);
    if (!local) {
        std::cerr << program << ": " << why.text() << '\n';
        return 1;
    }
    // Patroni refuses to run PostgreSQL as root; so does PostgreSQL itself.
    if (::geteuid() == 0) {
        std::cerr << program << ": refusing to run as root: PostgreSQL cannot be run by root; "
                                "start the daemon as the PostgreSQL owner (e.g. runuser -u postgres)\n";
        return 1;
    }
    tune_malloc();
    boost::asio::io_context io(1);
    daemon<Binding> d(io, opts.config_file, std::move(*local), std::move(env));
    int code = 0;
    boost::asio::co_spawn(io, d.run(), [&](std::exception_ptr e, int c) {
        code = e ? 1 : c;
        io.stop();
    });
    io.run();
    return code;
}

} // namespace pgwarden::apps
