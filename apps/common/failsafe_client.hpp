// The sending side of DCS failsafe mode (ha-loop.md 17, rest-api.md 9): a
// primary that cannot reach the DCS asks every other member of the last
// `/failsafe` topology to accept it as the leader. The POSTs run in parallel
// as coroutines on the caller's executor; no thread is started.
#pragma once
#include <pgwarden/api/failsafe.hpp>
#include <pgwarden/core/task.hpp>
#include <pgwarden/http/client.hpp>
#include <pgwarden/http/url.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pgwarden::apps {

/// How the failsafe POSTs are sent.
struct failsafe_client_options {
    /// `ctl.authentication`, else `restapi.authentication` (rest-api.md 9), sent with every request.
    std::optional<std::pair<std::string, std::string>> basic_auth;
    std::chrono::milliseconds timeout{std::chrono::seconds(2)};   ///< per attempt
    int retries = 1;                                               ///< further attempts after a transport failure
    /// Log sink: (is_warning, text).
    std::function<void(bool, const std::string&)> log;
};

/** POSTs `body` to `<api base of api_url>/failsafe` of one member. Returns
 *  true iff it answered 200 with the body exactly `Accepted` (Patroni:
 *  Ha.call_failsafe_member). Only a transport failure (connect, timeout,
 *  reset) is retried; an HTTP answer is final. */
inline task<bool> post_failsafe_one(std::string name, std::string api_url, std::string body,
                                    failsafe_client_options opts)
{
    auto say = [&opts](bool warning, const std::string& text) {
        if (opts.log) opts.log(warning, text);
    };
    const std::string where = api::failsafe_endpoint(api_url);
    auto u = http::parse_url(where);
    if (where.empty() || !u) {
        say(true, "Request failed to " + name + ": POST /failsafe (unusable api_url '" + api_url + "')");
        co_return false;
    }
    http::client_options co;
    co.endpoints.push_back(u->where);
    co.tls.verify = false;   // peers' certificates are not verified (rest-api.md 9)
    co.basic_auth = opts.basic_auth;
    const auto ex = co_await boost::asio::this_coro::executor;
    auto c = http::client::create(ex, std::move(co));
    if (!c) {
        say(true, "Request failed to " + name + ": POST " + where + " (" + c.error().message() + ")");
        co_return false;
    }
    std::string why;
    for (int attempt = 0; attempt <= opts.retries; ++attempt) {
        http::request req;
        req.verb = http::method::post;
        req.target = u->target;
        req.body = body;
        req.content_type = "application/json";
        req.timeout = opts.timeout;
        auto resp = co_await c->send(std::move(req));
        if (!resp) {
            why = resp.error().message();
            continue;
        }
        say(false, "Got response from " + name + " " + where + ": " + resp->body);
        co_return resp->status == 200 && resp->body == "Accepted";
    }
    say(true, "Request failed to " + name + ": POST " + where + " (" + why + ")");
    co_return false;
}

/** POSTs `body` to every (name, api_url) target in parallel. Returns true
 *  iff every one accepted (true for no targets: a single-node topology;
 *  Patroni: Ha.check_failsafe_topology). Completes when the last POST did,
 *  i.e. within (retries + 1) * timeout. */
inline task<bool> post_failsafe_all(std::vector<std::pair<std::string, std::string>> targets, std::string body,
                                    failsafe_client_options opts)
{
    if (targets.empty()) co_return true;
    const auto ex = co_await boost::asio::this_coro::executor;
    struct join {
        explicit join(boost::asio::any_io_executor e, std::size_t n) : done(e), pending(n) {}
        boost::asio::steady_timer done;
        std::size_t pending;
        bool all = true;
    };
    auto state = std::make_shared<join>(ex, targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i) {
        boost::asio::co_spawn(ex, post_failsafe_one(targets[i].first, targets[i].second, body, opts),
                              [state](std::exception_ptr e, bool accepted) {
                                  if (e || !accepted) state->all = false;
                                  if (--state->pending == 0) state->done.cancel();
                              });
    }
    while (state->pending > 0) {
        state->done.expires_at(boost::asio::steady_timer::time_point::max());
        (void)co_await state->done.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));   // cancel = done
    }
    co_return state->all;
}

} // namespace pgwarden::apps
