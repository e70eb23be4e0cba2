// Small in-memory policies for engine tests: a linearizable DCS with leases
// on the real clock, a scripted PostgreSQL, a counting watchdog.
#pragma once
#include <pgwarden/clock/steady_source.hpp>
#include <pgwarden/core/error.hpp>
#include <pgwarden/dcs/concept.hpp>
#include <pgwarden/pg/concept.hpp>
#include <pgwarden/watchdog/concept.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgwarden::test {

struct mem_dcs {
    struct config_type {};
    static constexpr std::string_view kind = "memory";

    dcs::cluster_snapshot data;
    dcs::dcs_version revision = 1;
    bool down = false;
    std::vector<std::string> log;   // operations performed, in order
    std::vector<boost::asio::steady_timer*> watchers;

    result<void> check() const
    {
        if (down) return error_code(error::unavailable);
        return {};
    }
    void notify()
    {
        for (auto* t : watchers) t->cancel();
    }

    task<result<dcs::cluster_snapshot>> load_cluster()
    {
        if (auto c = check(); !c) co_return fail(c.error());
        co_return data;
    }
    task<result<bool>> try_initialize(const std::string& v)
    {
        if (auto c = check(); !c) co_return fail(c.error());
        log.push_back("try_initialize");
        if (data.initialize) co_return false;
        data.initialize = v;
        co_return true;
    }
    task<result<void>> set_initialize(const std::string& v)
    {
        if (auto c = check(); !c) co_return fail(c.error());
        data.initialize = v;
        co_return result<void>{};
    }
    task<result<void>> cancel_initialize()
    {
        data.initialize.reset();
        co_return result<void>{};
    }
    task<result<bool>> acquire_leader(const dcs::leader_claim& c)
    {
        if (auto k = check(); !k) co_return fail(k.error());
        log.push_back("acquire_leader");
        if (data.leader) co_return false;
        data.leader = dcs::leader_record{c.name, ++revision, "lease"};
        notify();
        co_return true;
    }
    task<result<bool>> renew_leader(const dcs::leader_claim& c, dcs::dcs_version)
    {
        if (auto k = check(); !k) co_return fail(k.error());
        log.push_back("renew_leader");
        co_return data.leader && data.leader->name == c.name;
    }
    task<result<bool>> release_leader(dcs::dcs_version)
    {
        if (auto k = check(); !k) co_return fail(k.error());
        log.push_back("release_leader");
        data.leader.reset();
        notify();
        co_return true;
    }
    task<result<void>> publish_member(const dcs::member_data& m)
    {
        if (auto k = check(); !k) co_return fail(k.error());
        log.push_back("publish_member");
        (void)m;
        co_return result<void>{};
    }
    task<result<bool>> write_sync(const dcs::sync_record&, dcs::dcs_version) { co_return true; }
    task<result<bool>> delete_sync(dcs::dcs_version) { co_return true; }
    task<result<bool>> write_failover(const dcs::failover_record&, dcs::dcs_version) { co_return true; }
    task<result<bool>> write_config(const std::string&, dcs::dcs_version) { co_return true; }
    task<result<void>> write_status(const dcs::status_record&) { co_return result<void>{}; }
    task<result<void>> write_history(const dcs::history_record&) { co_return result<void>{}; }
    task<result<void>> write_failsafe(const std::string&) { co_return result<void>{}; }
    int watches = 0;   ///< wait_for_change calls
    task<result<bool>> wait_for_change(dcs::dcs_version v, std::chrono::milliseconds t)
    {
        ++watches;
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, t);
        watchers.push_back(&timer);
        (void)co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        std::erase(watchers, &timer);
        const dcs::dcs_version now = data.leader ? data.leader->version : 0;
        co_return now != v;
    }
};
static_assert(dcs::client<mem_dcs>);

struct script_pg {
    pg::local_pg_state state;
    std::vector<std::string> log;
    std::optional<pg::follow_target> last_follow;   // the target of the last follow()

    int probes = 0;
    task<result<pg::local_pg_state>> probe()
    {
        ++probes;
        co_return state;
    }
    task<result<void>> start(pg::start_role r)
    {
        log.push_back("start");
        state.running = true;
        state.accepting_connections = true;
        state.state = pg::pg_state::running;
        state.role = r == pg::start_role::primary ? pg::pg_role::primary : pg::pg_role::replica;
        co_return result<void>{};
    }
    task<result<void>> stop(pg::stop_mode)
    {
        log.push_back("stop");
        state.running = false;
        state.state = pg::pg_state::stopped;
        co_return result<void>{};
    }
    task<result<void>> promote()
    {
        log.push_back("promote");
        state.role = pg::pg_role::primary;
        state.in_recovery = false;
        co_return result<void>{};
    }
    task<result<void>> follow(const pg::follow_target& t)
    {
        log.push_back("follow");
        last_follow = t;
        co_return result<void>{};
    }
    task<result<void>> rewind(const pg::follow_target&) { co_return result<void>{}; }
    task<result<void>> set_sync_standbys(const pg::sync_names&) { co_return result<void>{}; }
};
static_assert(pg::controller<script_pg>);

struct count_watchdog {
    int activations = 0, keepalives = 0;
    bool active = false;
    result<void> activate(std::chrono::seconds)
    {
        ++activations;
        active = true;
        return {};
    }
    bool is_active() const noexcept { return active; }
    result<void> keepalive() noexcept
    {
        ++keepalives;
        return {};
    }
    result<void> disable() noexcept
    {
        active = false;
        return {};
    }
};
static_assert(watchdog::device<count_watchdog>);

/// An initialized cluster without a leader (`/config` = config_json), and a PostgreSQL of
/// that cluster running in `role`.
inline void running_cluster(mem_dcs& dcs, script_pg& pg, pg::pg_role role, std::string config_json = "{}")
{
    dcs.data.initialize = "7300000000000000001";
    dcs.data.config = dcs::config_record{1, 1, std::move(config_json)};
    dcs.data.history = dcs::history_record{1, true, {}};
    pg.state.data_dir_empty = false;
    pg.state.running = true;
    pg.state.accepting_connections = true;
    pg.state.role = role;
    pg.state.in_recovery = role == pg::pg_role::replica;
    pg.state.state = pg::pg_state::running;
    pg.state.timeline = 1;
    pg.state.system_identifier = 7300000000000000001ULL;
}

/// Runs `t` to its end on `io` (and everything it spawned); false if it never finished.
template <class Task>
[[nodiscard]] bool run_to_end(boost::asio::io_context& io, Task t)
{
    bool done = false;
    boost::asio::co_spawn(io, [&]() -> task<void> { co_await std::move(t); done = true; }, boost::asio::detached);
    io.run();
    io.restart();
    return done;
}

} // namespace pgwarden::test
