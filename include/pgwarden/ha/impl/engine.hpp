// Template bodies of ha::engine (see ../engine.hpp).
#pragma once
#include <pgwarden/core/error.hpp>
#include <pgwarden/core/mark.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <type_traits>
#include <variant>

// GCC 12 reports -Wmismatched-new-delete for Asio's awaitable frames (a known
// false positive with coroutines and class-specific operator new/delete); it
// comes and goes with inlining decisions.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace pgwarden::ha {

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
engine<Dcs, Pg, Wd, Clock>::engine(boost::asio::any_io_executor ex, Dcs& dcs, Pg& pg, Wd& wd,
                                   Clock clock, ha_config config, engine_hooks hooks,
                                   std::uint64_t seed)
    : ex_(ex), dcs_(dcs), pg_(pg), wd_(wd), clock_(std::move(clock)), config_(std::move(config)),
      hooks_(std::move(hooks)), rng_(seed), wake_timer_(ex), refresh_done_(ex)
{
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
void engine<Dcs, Pg, Wd, Clock>::log(log_level level, std::string_view text) const
{
    if (hooks_.log) hooks_.log(level, text);
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
void engine<Dcs, Pg, Wd, Clock>::wake() noexcept
{
    wake_pending_ = true;
    wake_timer_.cancel();
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
void engine<Dcs, Pg, Wd, Clock>::request_refresh() noexcept
{
    if (!waiting_ || refresh_running_ || background_ || exit_) return;
    refresh_running_ = true;
    try {
        // Its own coroutine, so that neither the watch nor a wake-up ever
        // cancels a query half-way; gather() waits for it (refresh_settled).
        boost::asio::co_spawn(
            ex_,
            [this]() -> task<void> {
                try {
                    co_await republish();
                } catch (...) {
                    // Out of memory while publishing: the next cycle publishes again.
                }
                refresh_running_ = false;
                refresh_done_.cancel();
            },
            boost::asio::detached);
    } catch (...) {
        refresh_running_ = false;
    }
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
task<void> engine<Dcs, Pg, Wd, Clock>::refresh_settled()
{
    // No suspension between the test and the wait: the re-probe cannot end unseen.
    while (refresh_running_) {
        refresh_done_.expires_at(mono_time::max());
        (void)co_await refresh_done_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
void engine<Dcs, Pg, Wd, Clock>::request_shutdown() noexcept
{
    shutdown_requested_ = true;
    wake();
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
void engine<Dcs, Pg, Wd, Clock>::request_restart(local_requests::restart_request r)
{
    requests_.restart = std::move(r);
    wake();
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
void engine<Dcs, Pg, Wd, Clock>::request_reinitialize(local_requests::reinitialize_request r)
{
    requests_.reinitialize = r;
    wake();
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
bool engine<Dcs, Pg, Wd, Clock>::schedule_restart(local_requests::scheduled_restart r)
{
    if (scheduled_) return false;
    scheduled_ = std::move(r);
    wake();   // the member key publishes it
    return true;
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
bool engine<Dcs, Pg, Wd, Clock>::cancel_scheduled_restart()
{
    if (!scheduled_) return false;
    scheduled_.reset();
    wake();
    return true;
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
void engine<Dcs, Pg, Wd, Clock>::set_config(ha_config config)
{
    config_ = std::move(config);
    wake();
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
auto engine<Dcs, Pg, Wd, Clock>::from(const result<bool>& r) -> step
{
    if (r.has_value()) return *r ? step::ok : step::lost_race;
    return (r.error() == condition::unavailable || r.error() == condition::timeout) ? step::dcs_error
                                                                                    : step::failed;
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
auto engine<Dcs, Pg, Wd, Clock>::from(const result<void>& r) -> step
{
    if (r.has_value()) return step::ok;
    return (r.error() == condition::unavailable || r.error() == condition::timeout) ? step::dcs_error
                                                                                    : step::failed;
}

// ---- the loop --------------------------------------------------------------

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
task<int> engine<Dcs, Pg, Wd, Clock>::run()
{
    // Patroni: Patroni.run / _run_cycle scheduling (ha-loop.md 1.2).
    mono_time next_run = clock_.now();
    while (!exit_) {
        co_await run_cycle();
        if (exit_) break;
        next_run += config_.loop_wait;
        const mono_time now = clock_.now();
        if (shutdown_requested_) next_run = std::min(next_run, now + std::chrono::seconds(1));
        // While nobody holds the leader key the cluster has no primary:
        // re-evaluate every second instead of every loop_wait (a peer that was
        // healthier may have gone away meanwhile). docs/notes/engine.md.
        if (snapshot_ && snapshot_->is_unlocked() && !background_)
            next_run = std::min(next_run, now + std::chrono::seconds(1));
        if (next_run <= now) {
            if (!wake_pending_) log(log_level::warning, "Loop time exceeded, rescheduling immediately.");
            next_run = now;
            continue;
        }
        co_await wait_next(next_run);
        if (wake_pending_) next_run = clock_.now();
        wake_pending_ = false;
    }
    co_await refresh_settled();
    co_return exit_code_;
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
std::optional<dcs::dcs_version> engine<Dcs, Pg, Wd, Clock>::watch_version() const
{
    // Patroni (Ha.watch, ha-loop.md 1.3) watches the leader key only as a
    // follower of a known leader and otherwise sleeps. pgwarden watches
    // whenever no background action runs, so that a node reacts to the DCS
    // at once: a replica to the leader key's expiry, a node waiting for the
    // bootstrap to the `initialize` key, the leader to a new member (its
    // slot). The backend decides which events wake (dcs.md 4.2 plus those);
    // -1 stands for "no leader key". See docs/notes/engine.md.
    if (background_ || !snapshot_) return std::nullopt;
    if (snapshot_->is_unlocked()) return dcs::dcs_version{-1};
    return snapshot_->leader->version;
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
task<void> engine<Dcs, Pg, Wd, Clock>::wait_next(mono_time deadline)
{
    using namespace boost::asio::experimental::awaitable_operators;
    // Between cycles the engine waits for the deadline, a local wake-up
    // (wake() cancels the timer) or a DCS event (the watch, see
    // watch_version). PostgreSQL is re-probed for the REST API when it asks
    // (request_refresh) and, with a refresh_interval, every interval; the
    // re-probe runs beside the wait and never ends the watch, which lasts
    // until the deadline. decide still runs once per loop_wait
    // (docs/notes/engine.md, docs/notes/footprint.md).
    waiting_ = true;
    auto ticks = [this, deadline]() -> task<void> {
        for (;;) {
            const mono_time now = clock_.now();
            if (now >= deadline || wake_pending_ || exit_) co_return;
            const bool periodic = hooks_.refresh_interval.count() > 0;
            wake_timer_.expires_at(periodic ? std::min(deadline, now + hooks_.refresh_interval) : deadline);
            const auto waited = co_await wake_timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            if (std::get<0>(waited)) co_return;   // wake(), or the watch ended first
            if (periodic && clock_.now() < deadline) request_refresh();
        }
    };
    while (!wake_pending_ && !exit_ && clock_.now() < deadline) {
        if (auto v = watch_version()) {
            // Followers watch 0.5 s past the deadline so that they run just after the leader (dcs.md 4.2).
            auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_.now()) +
                             std::chrono::milliseconds(500);
            auto watch = [this, v, remaining]() -> task<void> {
                auto changed = co_await dcs_.wait_for_change(*v, remaining);
                if (changed.has_value() && *changed) {
                    PGWARDEN_MARK("engine: woken by the DCS watch");
                    wake_pending_ = true;
                }
            };
            co_await (ticks() || watch());
        } else {
            co_await ticks();
        }
    }
    waiting_ = false;
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
task<void> engine<Dcs, Pg, Wd, Clock>::republish()
{
    auto local = co_await pg_.probe();
    if (local.has_value()) report_.local = std::move(*local);
    else report_.local.reset();
    report_.wall = clock_.wall_now();
    if (hooks_.on_refresh) hooks_.on_refresh(report_);
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
void engine<Dcs, Pg, Wd, Clock>::bind_cluster()
{
    // Failsafe, receiving side (ha-loop.md 17; Patroni: Ha.load_cluster_from_dcs and
    // Failsafe.update_cluster): with no leader key, a leader that POSTed /failsafe within
    // the ttl is the leader decide sees. decide follows a leader through its member record;
    // when that key expired too, a copy of the snapshot gets one built from the POST, so
    // that snapshot() (REST API, slot plan) still shows the DCS as it is.
    failsafe_completed_.reset();
    in_.failsafe_leader.reset();
    in_.cluster = *snapshot_;
    if (!config_.failsafe_mode || !hooks_.failsafe_leader || !snapshot_->is_unlocked()) return;
    auto leader = hooks_.failsafe_leader();
    if (!leader || leader->name.empty()) return;
    in_.failsafe_leader = leader->name;
    if (snapshot_->find_member(leader->name)) return;
    PGWARDEN_MARK("engine: snapshot completed with the failsafe leader");
    failsafe_completed_ = *snapshot_;
    auto& members = failsafe_completed_->members;   // sorted by name (cluster_snapshot invariant)
    auto at = std::lower_bound(members.begin(), members.end(), leader->name,
                               [](const dcs::member_record& m, const std::string& n) { return m.name < n; });
    members.insert(at, std::move(*leader));
    in_.cluster = *failsafe_completed_;
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
task<void> engine<Dcs, Pg, Wd, Clock>::gather()
{
    in_ = inputs{};
    in_.config = &config_;
    in_.now = clock_.now();
    in_.wall_now = clock_.wall_now();
    in_.entropy = rng_.next();

    auto cluster = co_await dcs_.load_cluster();
    if (cluster.has_value()) {
        dcs_down_since_.reset();
        snapshot_ = std::move(*cluster);
        bind_cluster();
    } else {
        if (!dcs_down_since_) dcs_down_since_ = in_.now;
        snapshot_.reset();
        in_.cluster = dcs_unavailable{*dcs_down_since_, cluster.error()};
    }
    auto local = co_await pg_.probe();
    if (local.has_value()) in_.local = std::move(*local);
    else in_.local = probe_failed{local.error()};
    if constexpr (requires { pg_.facts(); }) in_.facts = pg_.facts();

    in_.feedback = std::exchange(feedback_, std::nullopt);
    in_.background = background_;
    in_.finished = std::exchange(finished_, std::nullopt);
    in_.requests = std::exchange(requests_, local_requests{});
    in_.requests.shutdown = shutdown_requested_;
    in_.requests.scheduled = scheduled_;
    in_.failsafe_all_accepted = std::exchange(failsafe_accepted_, std::nullopt);
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
task<void> engine<Dcs, Pg, Wd, Clock>::run_cycle()
{
    ++cycle_;
    co_await refresh_settled();   // one PostgreSQL connection: no probe beside a re-probe
    co_await gather();
    co_await decide_and_act();
    report_.cycle = cycle_;
    report_.cluster = snapshot_;
    report_.local = in_.local.ok() ? std::optional<pg::local_pg_state>(*in_.local.get()) : std::nullopt;
    report_.state = state_;
    report_.wall = in_.wall_now;
    report_.mono = in_.now;
    report_.background = background_;
    if (hooks_.on_cycle) hooks_.on_cycle(report_);
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
task<void> engine<Dcs, Pg, Wd, Clock>::decide_and_act()
{
    // decide may ask for more facts mid-cycle (peers, a fresh snapshot): the
    // engine provides them and decides again, a bounded number of times.
    for (int round = 0; round < 4; ++round) {
        transition t = decide(state_, in_);
        report_.message = t.reason;
        bool redo = false;
        std::vector<action> background;
        std::string background_name;
        for (std::size_t i = 0; i < t.actions.size(); ++i) {
            const action& a = t.actions[i];
            if (auto* b = std::get_if<begin_background>(&a)) {
                background_name = b->name;
                background.assign(t.actions.begin() + static_cast<std::ptrdiff_t>(i) + 1, t.actions.end());
                break;
            }
            if (auto* f = std::get_if<fetch_peers>(&a)) {
                std::vector<std::pair<std::string, std::string>> targets;
                for (std::size_t k = 0; k < f->members.size() && k < f->api_urls.size(); ++k)
                    targets.emplace_back(f->members[k], f->api_urls[k]);
                std::vector<peer_status> peers;
                if (hooks_.fetch_peers) peers = co_await hooks_.fetch_peers(std::move(targets));
                in_.peers = std::move(peers);
                redo = true;
                break;
            }
            if (std::holds_alternative<reload_cluster>(a)) {
                auto cluster = co_await dcs_.load_cluster();
                if (cluster.has_value()) {
                    snapshot_ = std::move(*cluster);
                    bind_cluster();
                }
                redo = true;
                break;
            }
            step s = co_await execute(a);
            if (s == step::ok && (std::holds_alternative<pg_stop>(a) || std::holds_alternative<pg_promote>(a)))
                co_await republish();   // peers must not see the old role in our REST API
            if (s == step::ok && std::holds_alternative<pg_check_divergence>(a)) {
                // The answer is a fact for decide: ask again in this cycle.
                if constexpr (requires { pg_.facts(); }) in_.facts = pg_.facts();
                redo = true;
                break;
            }
            if (s == step::ok && std::holds_alternative<post_failsafe>(a)) {
                in_.failsafe_all_accepted = std::exchange(failsafe_accepted_, std::nullopt);
                redo = true;
                break;
            }
            if (s != step::ok && shutdown_requested_ && std::holds_alternative<pg_stop>(a)) stop_failed_ = true;
            if (s != step::ok) {
                const char* name = action_name(a);
                log(s == step::lost_race ? log_level::info : log_level::error,
                    std::string("action ") + name + " did not succeed");
                feedback_ = action_feedback{name, s == step::lost_race   ? outcome::lost_race
                                                  : s == step::dcs_error ? outcome::dcs_error
                                                                         : outcome::failed};
                if (s == step::lost_race) {
                    // A lost compare-and-set: somebody else changed the DCS.
                    // Re-read it and decide again now rather than a loop_wait later.
                    PGWARDEN_MARK("engine: re-decide after a lost race");
                    in_.feedback = std::exchange(feedback_, std::nullopt);
                    auto cluster = co_await dcs_.load_cluster();
                    if (cluster.has_value()) {
                        snapshot_ = std::move(*cluster);
                        bind_cluster();
                    }
                    redo = true;
                }
                break;
            }
        }
        // The state advances even when an action failed: decide's next state
        // describes what it asked for, and the failure comes back as feedback.
        state_ = std::move(t.next);
        if (!background_name.empty() && !background_) {
            background_ = background_task{background_name, clock_.now(), false};
            boost::asio::co_spawn(ex_, run_background(background_name, std::move(background)),
                                  boost::asio::detached);
        }
        // Shutdown (ha-loop.md 21) ends once decide stopped PostgreSQL, or
        // chose to leave it running (paused); decide may first wait for the
        // primary to release this node from synchronous duty.
        if (shutdown_requested_ && !redo && ends_shutdown(t)) {
            exit_ = true;
            if (stop_failed_ && wd_.is_active()) {
                // Patroni (Ha.shutdown): PostgreSQL may still run as a primary and the leader key
                // was not removed: the watchdog must reset this machine before the key expires.
                log(log_level::error, "PostgreSQL shutdown failed, leader key not removed. Leaving watchdog running.");
                if constexpr (requires { wd_.leave_armed(); }) wd_.leave_armed();
            }
        }
        if (state_.exit_requested) {
            exit_ = true;
            for (const auto& a : t.actions)
                if (auto* e = std::get_if<exit_daemon>(&a)) exit_code_ = e->code;
        }
        if (!redo) co_return;
    }
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
task<void> engine<Dcs, Pg, Wd, Clock>::run_background(std::string name, std::vector<action> actions)
{
    bool ok = true;
    bool source_unreachable = false;
    for (const auto& a : actions) {
        if (const auto* rw = std::get_if<pg_rewind>(&a)) {
            // Patroni (Rewind.execute): a source that cannot be reached ("primary ... become
            // unreachable") leaves the rewind needed and retried; any other failure is final.
            auto r = co_await pg_.rewind(rw->source);
            if (!r) {
                ok = false;
                source_unreachable = r.error() == condition::unavailable;
                break;
            }
            continue;
        }
        const step s = co_await execute(a);
        if (s != step::ok) {
            ok = false;
            break;
        }
    }
    background_.reset();
    finished_ = background_result{std::move(name), ok, false, source_unreachable};
    wake();
}

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
task<typename engine<Dcs, Pg, Wd, Clock>::step> engine<Dcs, Pg, Wd, Clock>::execute(const action& a)
{
    // (Two statements: GCC 12 mishandles co_await on some temporaries.)
    task<step> op = std::visit([this](const auto& x) -> task<step> { return act(x); }, a);
    const step s = co_await std::move(op);
    co_return s;
}

// ---- one overload per action ---------------------------------------------------

template <dcs::client Dcs, pg::controller Pg, watchdog::device Wd, clock::timed_source Clock>
template <class A>
task<typename engine<Dcs, Pg, Wd, Clock>::step> engine<Dcs, Pg, Wd, Clock>::act(const A& a)
{
    const dcs::dcs_version leader_v = snapshot_ && snapshot_->leader ? snapshot_->leader->version : 0;
    const dcs::leader_claim claim{config_.name, config_.ttl};

    if constexpr (std::is_same_v<A, acquire_leader>) {
        auto r = co_await dcs_.acquire_leader(claim);
        co_return from(r);
    } else if constexpr (std::is_same_v<A, renew_leader>) {
        const auto renewed = co_await dcs_.renew_leader(claim, leader_v);
        const step r = from(renewed);
        if (r == step::ok && a.with_status) {
            dcs::status_record st;
            st.optime = a.optime;
            st.slots = a.slots;
            st.retain_slots = a.retain_slots;
            const bool same = snapshot_ && snapshot_->status && snapshot_->status->optime == st.optime &&
                              snapshot_->status->slots == st.slots &&
                              snapshot_->status->retain_slots == st.retain_slots;
            if (!same) (void)co_await dcs_.write_status(st);   // status is best effort (dcs.md 4.1)
        }
        co_return r;
    } else if constexpr (std::is_same_v<A, release_leader>) {
        if (a.optime) {
            dcs::status_record st;
            if (snapshot_ && snapshot_->status) st = *snapshot_->status;
            st.optime = *a.optime;
            (void)co_await dcs_.write_status(st);   // best effort before the delete (dcs.md 4)
        }
        auto r = co_await dcs_.release_leader(leader_v);
        co_return from(r);
    } else if constexpr (std::is_same_v<A, publish_member>) {
        auto r = co_await dcs_.publish_member(a.data);
        co_return from(r);
    } else if constexpr (std::is_same_v<A, write_sync>) {
        auto r = co_await dcs_.write_sync(a.value, a.version);
        co_return from(r);
    } else if constexpr (std::is_same_v<A, delete_sync>) {
        auto r = co_await dcs_.delete_sync(a.version);
        co_return from(r);
    } else if constexpr (std::is_same_v<A, write_failover>) {
        auto r = co_await dcs_.write_failover(a.value, a.version.value_or(0));
        co_return from(r);
    } else if constexpr (std::is_same_v<A, clear_failover>) {
        const dcs::failover_record empty{};
        auto r = co_await dcs_.write_failover(empty, a.version.value_or(0));
        co_return from(r);
    } else if constexpr (std::is_same_v<A, write_history>) {
        dcs::history_record h;
        h.parsed = true;
        h.lines = a.lines;
        auto r = co_await dcs_.write_history(h);
        co_return from(r);
    } else if constexpr (std::is_same_v<A, write_initialize>) {
        if (a.create_only) {
            auto won = co_await dcs_.try_initialize(a.value);
            co_return from(won);
        }
        auto r = co_await dcs_.set_initialize(a.value);
        co_return from(r);
    } else if constexpr (std::is_same_v<A, cancel_initialize>) {
        auto r = co_await dcs_.cancel_initialize();
        co_return from(r);
    } else if constexpr (std::is_same_v<A, write_config>) {
        auto r = co_await dcs_.write_config(a.json, a.version.value_or(0));
        co_return from(r);
    } else if constexpr (std::is_same_v<A, write_failsafe>) {
        std::string json = "{";
        for (std::size_t i = 0; i < a.members.size(); ++i) {
            if (i) json += ',';
            json += '"' + a.members[i].first + "\":\"" + a.members[i].second + '"';
        }
        json += '}';
        auto r = co_await dcs_.write_failsafe(json);
        co_return from(r);
    } else if constexpr (std::is_same_v<A, post_failsafe>) {
        // Patroni: Ha.check_failsafe_topology posts to the members of the last /failsafe
        // value, not to the snapshot's members: the DCS is unreachable, there is no snapshot.
        std::vector<std::pair<std::string, std::string>> targets;
        for (const auto& [name, api_url] : state_.failsafe_topology)
            if (name != config_.name) targets.emplace_back(name, api_url);
        bool accepted = false;
        if (hooks_.post_failsafe) accepted = co_await hooks_.post_failsafe(std::move(targets));
        failsafe_accepted_ = accepted;
        co_return step::ok;
    } else if constexpr (std::is_same_v<A, pg_start>) {
        if (a.follow) {
            auto followed = co_await pg_.follow(*a.follow);
            if (!followed) co_return step::failed;
        }
        auto r = co_await pg_.start(a.role);
        co_return from(r);
    } else if constexpr (std::is_same_v<A, pg_stop>) {
        if constexpr (requires { pg_.checkpoint(); }) {
            if (a.checkpoint) (void)co_await pg_.checkpoint();   // a failed checkpoint only slows the stop
        }
        auto r = co_await pg_.stop(a.mode);
        co_return from(r);
    } else if constexpr (std::is_same_v<A, pg_promote>) {
        auto r = co_await pg_.promote();
        co_return from(r);
    } else if constexpr (std::is_same_v<A, pg_follow>) {
        auto r = co_await pg_.follow(a.target);
        co_return from(r);
    } else if constexpr (std::is_same_v<A, pg_rewind>) {
        auto r = co_await pg_.rewind(a.source);
        co_return from(r);
    } else if constexpr (std::is_same_v<A, pg_set_sync_standbys>) {
        auto r = co_await pg_.set_sync_standbys(a.names);
        co_return from(r);
    } else if constexpr (std::is_same_v<A, watchdog_activate>) {
        co_return wd_.activate(std::chrono::duration_cast<std::chrono::seconds>(config_.ttl)) ? step::ok
                                                                                                : step::failed;
    } else if constexpr (std::is_same_v<A, watchdog_keepalive>) {
        co_return wd_.keepalive() ? step::ok : step::failed;
    } else if constexpr (std::is_same_v<A, watchdog_disable>) {
        co_return wd_.disable() ? step::ok : step::failed;
    } else if constexpr (std::is_same_v<A, run_callback>) {
        if (hooks_.run_callback) hooks_.run_callback(a.name, a.role);
        co_return step::ok;
    } else if constexpr (std::is_same_v<A, clear_scheduled_restart>) {
        scheduled_.reset();
        co_return step::ok;
    } else if constexpr (std::is_same_v<A, cancel_background>) {
        co_return step::ok;   // background coroutines finish their current step; their result is ignored
    } else if constexpr (std::is_same_v<A, exit_daemon>) {
        log(log_level::error, a.reason);
        co_return step::ok;
    } else if constexpr (requires { pg_.perform(a); }) {
        // Further PostgreSQL operations (bootstrap, create_replica, rewind
        // checks, checkpoints, slots, ...) are offered by richer controllers.
        auto r = co_await pg_.perform(a);
        co_return from(r);
    } else {
        log(log_level::warning, std::string("action not supported by this build: ") + action_name(action{a}));
        co_return step::failed;
    }
}

} // namespace pgwarden::ha

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
