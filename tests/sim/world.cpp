// sim::world: see world.hpp and docs/design/simulation.md.
#include "world.hpp"

#include <pgwarden/core/assert.hpp>
#include <pgwarden/core/error.hpp>
#include <pgwarden/core/mark.hpp>
#include <pgwarden/ha/transitions.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <type_traits>
#include <utility>

namespace pgwarden::sim {

namespace {
constexpr vtime tick_ms = 500;

/// ISO-8601 in UTC, as Patroni writes history timestamps.
std::string iso_time(wall_time t)
{
    const auto days = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{days};
    const std::chrono::hh_mm_ss hms{t - days};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ld+00:00", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                  static_cast<long>(hms.seconds().count()), static_cast<long>(hms.subseconds().count()));
    return buf;
}
constexpr std::size_t trace_lines = 400;

/// s = v, skipped when s already holds v: the probe is refilled every cycle, mostly with the
/// same text, and a compare costs less than an assignment.
void set_text(std::string& s, std::string_view v)
{
    if (s != v) s.assign(v);
}
/// Where a standby cluster's `standby_cluster` section points (host remote, port 5432).
const std::string remote_url = "postgres://remote:5432/postgres";

/// What primary_conninfo names: the member followed, or a conn_url (the remote primary).
std::optional<std::string> upstream_of(const pg::follow_target& t)
{
    if (t.member) return t.member;
    if (!t.conn_url.empty()) return t.conn_url;
    return std::nullopt;
}

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;
} // namespace

void sim_config::adjust() noexcept
{
    // ha-loop.md 1.1: minimums first, then the loop_wait/retry_timeout rule.
    ttl_s = std::max<std::int64_t>(ttl_s, 20);
    loop_wait_s = std::max<std::int64_t>(loop_wait_s, 1);
    retry_timeout_s = std::max<std::int64_t>(retry_timeout_s, 3);
    if (1 + 2 * retry_timeout_s > ttl_s) {
        loop_wait_s = 1;
        retry_timeout_s = (ttl_s - 1) / 2;
    } else if (loop_wait_s + 2 * retry_timeout_s > ttl_s) {
        loop_wait_s = ttl_s - 2 * retry_timeout_s;
    }
}

// ---------------------------------------------------------------------------
// Construction: an initialized cluster, node1 primary holding the leader key,
// the others streaming replicas, no member keys yet (the daemons just started).

world::world(world_options options, brain* decider)
    : opts_(options), config_(options.config), rng_(options.seed), brain_(decider ? decider : &default_brain_),
      dcs_(options.kind, {}, &rng_), checker_(options.kind == backend::consul ? options.config.ttl_s * 500 : 0)
{
    PGWARDEN_ASSERT(options.nodes >= 1 && options.nodes <= 7);
    config_.adjust();
    remote_.running = true;
    remote_.in_recovery = false;
    remote_.recovery_conf = false;
    remote_.lsn = 50331744;
    if (!options.fresh) (void)dcs_.write_initialize(std::to_string(sysid_));
    (void)dcs_.write_config("{\"ttl\":" + std::to_string(config_.ttl_s) + ",\"loop_wait\":" +
                            std::to_string(config_.loop_wait_s) + ",\"retry_timeout\":" +
                            std::to_string(config_.retry_timeout_s) + "}");
    for (int i = 0; i < options.nodes; ++i) add_node();
    seen_epoch_ = dcs_.leader_epoch();
    push(tick_ms, ev::tick, -1, 0);
    if (options.fresh) return;   // nothing runs until a node wins the bootstrap race
    auto& p = nodes_[0].pg;
    if (config_.standby) {
        // A standby cluster: node1 is the standby leader, replicating from the remote primary.
        p.upstream = remote_url;
        p.streaming = true;
        seed_role(0);
        (void)dcs_.acquire_leader(0, 0, ttl_ms(0), 0);
        seen_epoch_ = dcs_.leader_epoch();
        return;
    }
    p.in_recovery = false;
    p.recovery_conf = false;
    p.upstream.reset();
    p.streaming = false;
    // An established strict cluster: Patroni keeps the '*' placeholder in
    // synchronous_standby_names until it picks a standby, so nothing is acknowledged by an
    // empty list before node1's first cycle.
    p.sync_placeholder = config_.synchronous_mode_strict;
    seed_role(0);
    (void)dcs_.acquire_leader(0, 0, ttl_ms(0), 0);
    // node1's daemon is the incarnation that took the key and armed its watchdog (a pause
    // before its first cycle must not leave a lock holder unguarded).
    if (config_.watchdog) {
        (void)nodes_[0].wd.activate(0, watchdog_timeout_ms(0));
        nodes_[0].state.watchdog_active = true;   // Patroni: Watchdog.is_running of that incarnation
    }
    seen_epoch_ = dcs_.leader_epoch();
}

int world::add_node()
{
    const int i = size();
    node n;
    n.name = "node" + std::to_string(i + 1);
    const auto drift = opts_.max_drift_ppm > 0
                           ? static_cast<std::int64_t>(rng_.uniform(0, static_cast<std::uint64_t>(2 * opts_.max_drift_ppm))) -
                                 opts_.max_drift_ppm
                           : 0;
    n.clock = fake_clock(static_cast<std::int64_t>(rng_.uniform(0, 1000000)), drift);
    n.pg.running = true;
    n.pg.lsn = 50331744;   // 0/3000060
    n.pg.upstream = i == 0 ? std::optional<std::string>() : std::optional<std::string>("node1");
    n.pg.streaming = i != 0;
    if (opts_.fresh && nodes_.empty()) {
        // Never initialized: an empty data directory, nothing running (every node of a fresh
        // world; a node added later clones node1 like any other).
        n.pg = fake_pg{};
        n.pg.data_ok = false;
        n.pg.in_recovery = false;
        n.pg.recovery_conf = false;
    } else if (opts_.fresh && !nodes_[0].pg.data_ok) {
        n.pg = nodes_[0].pg;
    } else if (i > 0 && !nodes_.empty()) {
        // A node added later starts as a fresh clone of node1.
        n.pg.tli = nodes_[0].pg.tli;
        n.pg.lsn = nodes_[0].pg.lsn;
    }
    n.wd.usable = config_.watchdog;
    nodes_.push_back(std::move(n));
    dcs_.add_node(nodes_.back().name);
    seed_role(i);
    auto& nn = nodes_.back();
    nn.next_run_local = nn.clock.local_ms(now_);
    schedule_cycle(i, now_ + static_cast<vtime>(rng_.uniform(1, static_cast<std::uint64_t>(config_.loop_wait_s * 1000))));
    return i;
}

void world::seed_role(int i)
{
    // ha-loop.md 2.1: the role at start-up comes from the data directory.
    auto& n = nodes_[static_cast<std::size_t>(i)];
    const auto& p = n.pg;
    if (!p.data_ok) n.state.role = ha::node_role::uninitialized;
    else if (p.running) n.state.role = p.in_recovery ? ha::node_role::replica : ha::node_role::primary;
    else n.state.role = p.recovery_conf ? ha::node_role::replica : ha::node_role::demoted;
}

std::int64_t world::ttl_ms(int i) const noexcept
{
    // The TTL the node has adopted (it learns a new one on its next read).
    const auto& n = nodes_[static_cast<std::size_t>(i)];
    return n.cfg.name.empty() ? config_.ttl_s * 1000 : n.cfg.ttl.count() * 1000;
}

vtime world::retry_ms(int i) const noexcept
{
    const auto& n = nodes_[static_cast<std::size_t>(i)];
    return n.cfg.name.empty() ? config_.retry_timeout_s * 1000 : n.cfg.retry_timeout.count() * 1000;
}

vtime world::watchdog_timeout_ms(int i) const noexcept
{
    // ha-loop.md 19: ttl - safety_margin, from the node's adopted ttl.
    sim_config c = config_;
    c.ttl_s = ttl_ms(i) / 1000;
    return c.watchdog_timeout_s() * 1000;
}

vtime world::dcs_latency() noexcept
{
    return static_cast<vtime>(rng_.uniform(1, static_cast<std::uint64_t>(std::max<vtime>(opts_.dcs_latency_max_ms, 1))));
}

bool world::dcs_reachable(int i) const noexcept
{
    const auto& n = nodes_[static_cast<std::size_t>(i)];
    return !outage_ && n.dcs_out && n.dcs_in;
}

std::int64_t world::timeline_number(int i) const
{
    return tree_.number(nodes_[static_cast<std::size_t>(i)].pg.tli);
}

void world::note(int i, const std::string& text)
{
    if (!opts_.trace) return;
    std::ostringstream os;
    os << "t=" << now_ / 1000 << "." << (now_ % 1000) / 100 << "s " << (i >= 0 ? name(i) : std::string("world"))
       << ": " << text;
    trace_.push_back(os.str());
    if (trace_.size() > (opts_.trace_all ? 20 * trace_lines : trace_lines)) trace_.pop_front();
}

std::string world::trace() const
{
    std::string out;
    for (const auto& l : trace_) out += l + "\n";
    return out;
}

// ---------------------------------------------------------------------------
// The event loop.

void world::push(vtime t, ev kind, int node, std::uint64_t token, std::size_t index)
{
    queue_.push(event{t, seq_++, kind, node, token, index});
}

void world::run_until(vtime t)
{
    event e{};
    while (queue_.pop_until(t, e)) {
        now_ = std::max(now_, e.t);
        dcs_.advance(now_);
        dispatch(e);
        after_event();
        ++events_;
    }
    now_ = std::max(now_, t);
    dcs_.advance(now_);
    after_event();
}

void world::dispatch(const event& e)
{
    if (e.kind == ev::tick) {
        on_tick();
        push(now_ + tick_ms, ev::tick, -1, 0);
        return;
    }
    auto& n = nodes_[static_cast<std::size_t>(e.node)];
    if (e.kind == ev::restart) {
        if (e.token == n.gen && !n.up && !n.stay_down) restart(e.node);
        return;
    }
    if (!n.up) return;
    if (n.paused_until > now_) {   // the process is frozen: resume the event later
        queue_.push(event{n.paused_until, seq_++, e.kind, e.node, e.token, e.index});
        return;
    }
    switch (e.kind) {
    case ev::cycle:
        if (e.token == n.cycle_token) start_cycle(e.node);
        break;
    case ev::decide_unavailable:
        if (e.token == n.chain_token) {
            gather(e.node, false);
            decide_round(e.node);
        }
        break;
    case ev::fg_op:
        if (e.token == n.chain_token) fg_step(e.node, e.index);
        break;
    case ev::cycle_end:
        if (e.token == n.chain_token) end_cycle(e.node);
        break;
    case ev::redecide:
        if (e.token != n.chain_token) break;
        if (e.index == 1 && dcs_reachable(e.node)) {   // after a lost race: a fresh snapshot
            n.snapshot = dcs_.shared_snapshot(e.node, now_, n.clock.local_ms(now_), ttl_ms(e.node));
            n.in.cluster = *n.snapshot;
            n.snapshot_epoch = dcs_.leader_epoch();
        }
        if (++n.rounds < 4) decide_round(e.node);
        else end_cycle(e.node);
        break;
    case ev::bg_op:
        if (e.token == n.bg_token) bg_step(e.node, e.index);
        break;
    default: break;
    }
}

void world::after_event()
{
    // Leader-key watch: a change of the leader's name wakes every follower
    // that watches and can hear from the DCS (dcs.md 4.2).
    if (dcs_.leader_epoch() != seen_epoch_) {
        seen_epoch_ = dcs_.leader_epoch();
        for (int i = 0; i < size(); ++i) {
            auto& n = nodes_[static_cast<std::size_t>(i)];
            if (!n.up || !n.watching || !dcs_reachable(i)) continue;
            n.watching = false;
            PGWARDEN_MARK("sim: woken by leader watch");
            schedule_cycle(i, now_ + dcs_latency());
        }
    }
    // Runs after every event. With fewer than two writers the checker only clears what an
    // earlier call with two or more set, so that call is skipped once it is done (same verdicts).
    int count = 0;
    for (const auto& n : nodes_) count += n.pg.accepts_writes(now_) ? 1 : 0;
    if (count < 2 && !writers_overlap_) return;
    writers_overlap_ = count >= 2;
    auto& writers = writers_buf_;   // reused
    writers.clear();
    for (int i = 0; i < size(); ++i)
        if (nodes_[static_cast<std::size_t>(i)].pg.accepts_writes(now_) && !unmanaged(i)) writers.push_back(i);
    checker_.writers(now_, writers);
}

bool world::unmanaged(int i) const noexcept
{
    // A daemon in maintenance mode does not manage its PostgreSQL: a paused primary that loses
    // the DCS keeps running (ha-loop.md 20), its watchdog is off (19), and when the operator
    // ends the pause while it is cut off or frozen it cannot learn so. Patroni makes no promise
    // for that primary until its first cycle after the pause; S1 judges the managed ones
    // (docs/notes/sim.md).
    return nodes_[static_cast<std::size_t>(i)].unmanaged;
}

void world::on_tick()
{
    const double dt = static_cast<double>(tick_ms) / 1000.0;
    const bool zookeeper = opts_.kind == backend::zookeeper;   // heartbeat() does nothing for the others
    for (int i = 0; i < size(); ++i) {
        auto& n = nodes_[static_cast<std::size_t>(i)];
        if (zookeeper && n.up && n.paused_until <= now_ && dcs_reachable(i)) dcs_.heartbeat(i, now_, ttl_ms(i));
        if (n.wd.fired(now_)) {
            note(i, "watchdog fired: node reset");
            PGWARDEN_MARK("sim: watchdog reset a node");
            reset_node(i, 5000 + static_cast<vtime>(rng_.uniform(0, 10000)), false);
        }
        // Primaries write (in the same pass: a reset touches only its own node).
        if (n.pg.accepts_writes(now_)) n.pg.lsn += static_cast<std::uint64_t>(static_cast<double>(opts_.write_rate) * dt);
    }
    // Replicas receive from their upstream.
    if (config_.standby) remote_.lsn += static_cast<std::uint64_t>(static_cast<double>(opts_.write_rate) * dt);
    for (int i = 0; i < size(); ++i) {
        auto& p = nodes_[static_cast<std::size_t>(i)].pg;
        if (!p.accepting(now_) || !p.in_recovery || !p.upstream) {
            p.streaming = false;
            continue;
        }
        const int j = dcs_.index_of(*p.upstream);
        const fake_pg* up = nullptr;
        if (j >= 0 && j != i) {
            const auto& u = nodes_[static_cast<std::size_t>(j)];
            if (!nodes_[static_cast<std::size_t>(i)].isolated && !u.isolated && u.up) up = &u.pg;
        } else if (j < 0 && *p.upstream == remote_url && config_.standby) {
            up = &remote_;   // the remote primary stays reachable (its own faults are out of scope)
        }
        if (!up || !up->accepting(now_) || !tree_.contains(up->tli, up->lsn, p.tli, p.lsn)) {
            p.streaming = false;
            continue;
        }
        const auto& u = *up;
        std::uint64_t target = u.lsn;
        if (p.apply_rate > 0)
            target = std::min(target, p.lsn + static_cast<std::uint64_t>(static_cast<double>(p.apply_rate) * dt));
        p.lsn = std::max(p.lsn, target);
        p.tli = tree_.owner_at(u.tli, p.lsn);
        p.streaming = true;
    }
    // Acknowledged commits (S4): FIRST n (names) waits for the first n listed
    // standbys streaming from this primary (all n of them: the commit is acknowledged
    // up to the lowest of their positions); an empty list acknowledges at once.
    if (!config_.synchronous_mode_strict) return;
    for (int i = 0; i < size(); ++i) {
        const auto& p = nodes_[static_cast<std::size_t>(i)].pg;
        if (!p.accepts_writes(now_)) continue;
        std::optional<std::uint64_t> ack;
        if (p.sync_names.empty() && !p.sync_placeholder) {
            ack = p.lsn;
        } else if (p.sync_quorum) {
            // ANY n (names): a commit is acknowledged once n of the listed standbys have it.
            std::uint64_t got[8];
            std::size_t found = 0;
            for (const auto& s : p.sync_names) {
                const int j = dcs_.index_of(s);
                if (j < 0 || found == 8) continue;
                const auto& sp = nodes_[static_cast<std::size_t>(j)].pg;
                if (!sp.streaming || sp.upstream != name(i) || !tree_.contains(p.tli, p.lsn, sp.tli, sp.lsn)) continue;
                // Kept in descending order (at most 8 entries: insertion).
                std::size_t k = found++;
                for (; k > 0 && got[k - 1] < sp.lsn; --k) got[k] = got[k - 1];
                got[k] = sp.lsn;
            }
            const auto need = static_cast<std::size_t>(std::max(p.sync_count, 1));
            if (found >= need) ack = got[need - 1];
        } else {
            int found = 0;
            for (const auto& s : p.sync_names) {
                if (found >= std::max(p.sync_count, 1)) break;
                const int j = dcs_.index_of(s);
                if (j < 0) continue;
                const auto& sp = nodes_[static_cast<std::size_t>(j)].pg;
                if (!sp.streaming || sp.upstream != name(i) || !tree_.contains(p.tli, p.lsn, sp.tli, sp.lsn)) continue;
                ack = std::min(ack.value_or(sp.lsn), sp.lsn);
                ++found;
            }
            if (found < std::max(p.sync_count, 1)) ack.reset();   // commits wait
        }
        if (ack && *ack > ack_lsn_) {
            ack_lsn_ = *ack;
            ack_tli_ = tree_.owner_at(p.tli, *ack);
        }
    }
}

// ---------------------------------------------------------------------------
// One HA cycle.

void world::schedule_cycle(int i, vtime t)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    ++n.cycle_token;
    push(t, ev::cycle, i, n.cycle_token);
}

void world::start_cycle(int i)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    if (n.in_cycle) return;
    n.in_cycle = true;
    n.watching = false;
    // Woken before the deadline (watch, background end): the schedule restarts
    // from now, as engine::run does with `next_run = now`.
    const std::int64_t local_now = n.clock.local_ms(now_);
    if (local_now < n.next_run_local) n.next_run_local = local_now;
    n.wake_pending = false;
    n.rounds = 0;
    ++n.chain_token;
    if (dcs_reachable(i)) {
        gather(i, true);
        decide_round(i);
    } else {
        // The read fails only after the retry budget (Patroni: DCSError).
        push(now_ + retry_ms(i), ev::decide_unavailable, i, n.chain_token);
    }
}

void world::gather(int i, bool dcs_ok)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    const mono_time mono = n.clock.mono(now_);
    // Adopt the dynamic configuration when it could be read (ha-loop.md 1.2);
    // rebuilt only when it changed since this node last adopted it.
    if ((dcs_ok || n.cfg.name.empty()) && n.cfg_gen != config_gen_) {
        n.cfg_gen = config_gen_;
        n.cfg.name = n.name;
        n.cfg.scope = "demo";
        // Short addresses (nothing parses them): they fit std::string's small buffer, so the
        // member keys and follow targets copied every cycle allocate nothing.
        n.cfg.conn_url = "postgres://n" + std::to_string(i + 1);
        n.cfg.api_url = "http://n" + std::to_string(i + 1) + "/p";
        n.cfg.ttl = seconds(config_.ttl_s);
        n.cfg.loop_wait = seconds(config_.loop_wait_s);
        n.cfg.retry_timeout = seconds(config_.retry_timeout_s);
        n.cfg.maximum_lag_on_failover = config_.maximum_lag_on_failover;
        n.cfg.synchronous_mode = config_.synchronous_mode;
        n.cfg.synchronous_mode_strict = config_.synchronous_mode_strict;
        n.cfg.synchronous_node_count = config_.synchronous_node_count;
        n.cfg.primary_start_timeout = seconds(config_.primary_start_timeout_s);
        n.cfg.pause = config_.pause;
        n.cfg.failsafe_mode = config_.failsafe;
        n.cfg.tags = n.tags;
        n.cfg.standby_cluster.reset();
        if (config_.standby) {
            ha::standby_cluster_config sc;
            sc.host = "remote";
            sc.port = "5432";
            sc.create_replica_methods = {"basebackup"};
            n.cfg.standby_cluster = std::move(sc);
        }
        n.cfg.watchdog = config_.watchdog ? ha::watchdog_mode::automatic : ha::watchdog_mode::off;
        n.cfg.watchdog_usable = config_.watchdog;
        // check_timeline (default off in Patroni) is on: without it a node
        // behind the cluster timeline may win the race and PostgreSQL picks a
        // timeline number that already exists (docs/notes/sim.md).
        n.cfg.check_timeline = true;
        n.cfg.use_pg_rewind = true;
        n.cfg.remove_data_directory_on_rewind_failure = true;
        n.cfg.remove_data_directory_on_diverged_timelines = true;
        n.cfg_for_decide = n.cfg;
        brain_->patch_config(n.cfg_for_decide);
    }
    // Field by field instead of `n.in = ha::inputs{}`: keeps the buffers (hot path).
    n.in.peers.reset();
    n.in.requests = ha::local_requests{};
    n.in.requests.shutdown = n.shutdown_requested;
    n.in.failsafe_leader.reset();
    // ha-loop.md 17: a POST /failsafe accepted within the last ttl names the leader. The ttl is
    // the longer of the one in force at the POST and the current one: Patroni uses the current
    // one, so a ttl lowered while the leader is cut off ends the record before the leader's
    // watchdog (armed with the old ttl) can fire (docs/notes/ha.md).
    if (n.failsafe_from && config_.failsafe &&
        now_ <= std::max(n.failsafe_until, n.failsafe_at + ttl_ms(i)))
        n.in.failsafe_leader = n.failsafe_from;
    n.in.config = &n.cfg_for_decide;
    if (n.cfg.pause) n.unmanaged = true;
    n.in.now = mono;
    n.in.wall_now = n.clock.wall(now_);
    n.in.entropy = rng_.next();
    if (dcs_ok) {
        n.dcs_down_since.reset();
        n.snapshot = dcs_.shared_snapshot(i, now_, n.clock.local_ms(now_), ttl_ms(i));
        n.in.cluster = *n.snapshot;
        n.snapshot_epoch = dcs_.leader_epoch();
    } else {
        if (!n.dcs_down_since) n.dcs_down_since = mono;
        n.in.cluster = ha::dcs_unavailable{*n.dcs_down_since, make_error_code(error::unavailable)};
    }
    if (n.pg.hung) {
        n.in.local = ha::probe_failed{make_error_code(error::timeout)};
    } else {
        auto* local = std::get_if<pg::local_pg_state>(&n.in.local.v);
        if (!local) local = &n.in.local.v.emplace<pg::local_pg_state>();
        probe_into(i, *local);
    }
    // Answers to queries hold for the cycle that asked (engine: answers accumulate per cycle).
    n.divergence = ha::divergence::not_checked;
    facts_into(i, n.in.facts);
    n.in.feedback = std::exchange(n.feedback, std::nullopt);
    n.in.background = n.background;
    n.in.finished = std::exchange(n.finished, std::nullopt);
    n.in.failsafe_all_accepted = std::exchange(n.failsafe_accepted, std::nullopt);
}

void world::decide_round(int i)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    ++node_cycles_;
    ha::transition& t = decided_;
    brain_->decide_into(i, n.state, n.in, t);
    PGWARDEN_ASSERT_EXPENSIVE(ha::is_legal(n.state.role, t.next.role));
    if (opts_.trace && (t.reason != n.reason || opts_.trace_all)) {
        std::string acts;
        if (opts_.trace_all)
            for (const auto& a : t.actions) acts += std::string(" ") + ha::action_name(a);
        if (opts_.trace_all && n.in.failsafe_leader) acts += " (failsafe leader " + *n.in.failsafe_leader + ")";
        note(i, t.reason + (acts.empty() ? "" : " [" + acts + " ]"));
    }
    // engine::decide_and_act: shutdown ends once decide stopped PostgreSQL or left it running.
    if (n.shutdown_requested && ha::ends_shutdown(t)) n.shutdown_done = true;
    n.reason.swap(t.reason);   // swaps, not moves: both keep buffers for the next decision
    n.state = std::move(t.next);
    // The leader key version the CAS-guarded writes use (the decision's snapshot; the background
    // part of the list may run after this cycle released it).
    n.leader_v = n.snap() && n.snap()->leader ? n.snap()->leader->version : 0;
    n.fg.clear();
    n.bg_pending.clear();
    n.bg_pending_name.clear();
    for (const auto& a : t.actions) {
        // The promotion runs later (in the background), when the node may hold a newer snapshot:
        // the checkers judge it by the /failover the decision that took the lock saw.
        if (std::holds_alternative<ha::acquire_leader>(a)) {
            const auto* s = n.snap();
            n.acquired_manual = s && s->failover && !s->failover->empty();
            n.acquired_chosen = n.acquired_manual && s->failover->member == n.name;
            n.acquired_forced = n.acquired_chosen && s->failover->leader.empty();
        }
        if (std::holds_alternative<ha::pg_promote>(a)) {
            n.promote_manual = n.acquired_manual;
            n.promote_chosen = n.acquired_chosen;
            n.promote_forced = n.acquired_forced;
        }
    }
    // The list up to begin_background runs in the loop, the rest in the background. The
    // foreground part is taken by swapping vectors, not by moving every (large) action.
    for (std::size_t k = 0; k < t.actions.size(); ++k) {
        if (auto* b = std::get_if<ha::begin_background>(&t.actions[k])) {
            n.bg_pending_name = b->name;
            n.bg_pending.assign(std::make_move_iterator(t.actions.begin() + static_cast<std::ptrdiff_t>(k) + 1),
                                std::make_move_iterator(t.actions.end()));
            t.actions.resize(k);
            break;
        }
    }
    n.fg.swap(t.actions);
    fg_step(i, 0);
}

void world::fg_step(int i, std::size_t idx)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    if (idx >= n.fg.size()) {
        end_cycle(i);
        return;
    }
    const ha::action& a = n.fg[idx];
    if (auto* f = std::get_if<ha::fetch_peers>(&a)) {
        n.in.peers = peers(i, f->members);
        if (opts_.trace_all) {
            std::string d = "peers:";
            for (const auto& ps : *n.in.peers)
                d += " " + ps.name + (ps.reachable ? (ps.in_recovery ? "(replica)" : "(primary)") : "(unreachable)");
            note(i, d);
        }
        if (++n.rounds < 4) decide_round(i);
        else end_cycle(i);
        return;
    }
    if (std::holds_alternative<ha::reload_cluster>(a)) {
        if (dcs_reachable(i)) {
            n.snapshot = dcs_.shared_snapshot(i, now_, n.clock.local_ms(now_), ttl_ms(i));
            n.in.cluster = *n.snapshot;
            n.snapshot_epoch = dcs_.leader_epoch();
        }
        if (++n.rounds < 4) decide_round(i);
        else end_cycle(i);
        return;
    }
    const auto gen = n.gen;
    const outcome_t r = execute(i, a);
    if (!n.up || n.gen != gen) return;   // the action killed the process
    const bool answer = std::holds_alternative<ha::pg_check_divergence>(a) || std::holds_alternative<ha::post_failsafe>(a);
    if (r.s == step::ok && answer) {
        // engine::decide_and_act: the answer is a fact for decide, asked again in this cycle.
        n.in.facts.divergence_check = n.divergence;
        n.in.failsafe_all_accepted = std::exchange(n.failsafe_accepted, std::nullopt);
        push(now_ + r.delay, ev::redecide, i, n.chain_token);
        return;
    }
    if (r.s == step::ok) {
        push(now_ + r.delay, ev::fg_op, i, n.chain_token, idx + 1);
        return;
    }
    if (opts_.trace)
        note(i, std::string(ha::action_name(a)) +
                    (r.s == step::lost ? " lost the race" : r.s == step::dcs_error ? " failed: DCS error" : " failed"));
    n.feedback = ha::action_feedback{ha::action_name(a), r.s == step::lost       ? ha::outcome::lost_race
                                                         : r.s == step::dcs_error ? ha::outcome::dcs_error
                                                                                  : ha::outcome::failed};
    n.bg_pending.clear();
    n.bg_pending_name.clear();
    if (r.s == step::lost && redecide_after_lost_race_) {
        // engine::decide_and_act: a lost compare-and-set re-reads the DCS and decides again now.
        PGWARDEN_MARK("sim: re-decide after a lost race");
        n.in.feedback = std::exchange(n.feedback, std::nullopt);
        push(now_ + r.delay, ev::redecide, i, n.chain_token, 1);
        return;
    }
    push(now_ + r.delay, ev::cycle_end, i, n.chain_token);
}

void world::end_cycle(int i)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    n.in_cycle = false;
    if (!n.cfg.pause) n.unmanaged = false;   // this cycle acted on the end of maintenance mode
    if (!n.bg_pending_name.empty() && !n.background) {
        n.background = ha::background_task{n.bg_pending_name, n.clock.mono(now_), false};
        n.bg = std::move(n.bg_pending);
        n.bg_ok = true;
        n.bg_unreachable = false;
        ++n.bg_token;
        push(now_, ev::bg_op, i, n.bg_token, 0);
    }
    n.bg_pending.clear();
    n.bg_pending_name.clear();
    if (n.shutdown_done) {
        // engine: a shutdown whose pg_stop failed leaves the watchdog armed (Patroni: "Leaving
        // watchdog running"), so a primary it could not stop is reset before its key expires.
        const bool stop_failed = n.feedback && n.feedback->action == "pg_stop";
        note(i, stop_failed ? "daemon shut down, PostgreSQL not stopped, watchdog left running" : "daemon shut down");
        n.stay_down = !n.restart_after_exit;
        reset_node(i, n.stay_down ? 0 : 1000, true, stop_failed);
        return;
    }
    if (n.state.exit_requested) {
        note(i, "daemon exits");
        reset_node(i, 5000, n.state.leave_postgres_running);
        return;
    }
    if (n.shutdown_requested) {   // engine::run: decide again within a second until it ends
        schedule_cycle(i, now_ + 1000);
        return;
    }
    // ha-loop.md 1.2: next_run += loop_wait; run at once when late or woken.
    const std::int64_t local_now = n.clock.local_ms(now_);
    n.next_run_local += n.cfg.loop_wait.count() * 1000;
    if (n.wake_pending || n.next_run_local <= local_now) {
        n.next_run_local = local_now;
        schedule_cycle(i, now_);
        return;
    }
    schedule_cycle(i, now_ + n.clock.true_duration(n.next_run_local - local_now));
    // ha-loop.md 1.3: followers of a known leader watch the leader key.
    const bool watch = !n.background && n.snap() && !n.snap()->is_unlocked() && n.snap()->leader->name != n.name;
    // The cycle is over: drop the snapshot so the DCS can rebuild its cache in place.
    n.in.cluster = decltype(n.in.cluster){};
    n.snapshot.reset();
    if (watch) {
        if (n.snapshot_epoch != dcs_.leader_epoch() && dcs_reachable(i)) schedule_cycle(i, now_ + dcs_latency());
        else n.watching = true;
    }
}

void world::bg_step(int i, std::size_t idx)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    if (idx < n.bg.size() && n.bg_ok) {
        const auto gen = n.gen;
        const outcome_t r = execute(i, n.bg[idx]);
        if (!n.up || n.gen != gen) return;
        if (r.s != step::ok) {
            n.bg_ok = false;
            // The fake pg_rewind fails only when its source is not a reachable primary.
            n.bg_unreachable = std::holds_alternative<ha::pg_rewind>(n.bg[idx]);
        }
        push(now_ + r.delay, ev::bg_op, i, n.bg_token, idx + 1);
        return;
    }
    // Finished: report it and wake the loop (engine::run_background).
    n.finished = ha::background_result{n.background ? n.background->name : std::string(), n.bg_ok, false,
                                       n.bg_unreachable};
    n.background.reset();
    n.bg.clear();
    if (n.in_cycle) n.wake_pending = true;
    else schedule_cycle(i, now_);
}

// ---------------------------------------------------------------------------
// Process lifecycle.

void world::reset_node(int i, vtime down_for_ms, bool keep_pg_running, bool keep_watchdog)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    ++n.gen;
    ++n.cycle_token;
    ++n.chain_token;
    ++n.bg_token;
    n.up = false;
    n.paused_until = 0;
    if (!keep_pg_running) {
        pg_lost(i);
        if (n.pg.running) n.pg.clean = false;
        n.pg.running = false;
        n.pg.streaming = false;
        n.pg.hung = false;
    }
    if (!keep_watchdog) n.wd.disable();
    n.state = ha::ha_state{};
    n.in = ha::inputs{};
    n.dcs_down_since.reset();
    n.feedback.reset();
    n.background.reset();
    n.finished.reset();
    n.fg.clear();
    n.bg.clear();
    n.bg_pending.clear();
    n.bg_pending_name.clear();
    n.in_cycle = n.wake_pending = n.watching = false;
    n.shutdown_requested = n.shutdown_done = n.restart_after_exit = false;
    push(now_ + down_for_ms, ev::restart, i, n.gen);
}

void world::restart(int i)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    n.up = true;
    note(i, "process started");
    seed_role(i);
    n.next_run_local = n.clock.local_ms(now_);
    schedule_cycle(i, now_ + 1);
}

void world::crash_node(int i, vtime down_for_ms)
{
    note(i, "node crashed");
    reset_node(i, down_for_ms, false);
}

void world::pg_lost(int i)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    if (n.unpublished_tli == 0) return;
    if (dcs_.history_timeline() < n.unpublished_tli) checker_.abandoned(n.unpublished_tli);
    n.unpublished_tli = 0;
}

void world::pause_node(int i, vtime for_ms)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    if (!n.up) return;
    note(i, "process paused for " + std::to_string(for_ms) + " ms");
    n.paused_until = std::max(n.paused_until, now_ + for_ms);
}

void world::pg_crash(int i)
{
    auto& p = nodes_[static_cast<std::size_t>(i)].pg;
    if (!p.running) return;
    pg_lost(i);
    note(i, "PostgreSQL crashed");
    p.running = false;
    p.clean = false;
    p.streaming = false;
    p.hung = false;
}

void world::pg_hang(int i, bool hung)
{
    auto& p = nodes_[static_cast<std::size_t>(i)].pg;
    if (hung && !p.running) return;
    if (p.hung != hung) note(i, hung ? "PostgreSQL hangs" : "PostgreSQL answers again");
    p.hung = hung;
}

void world::set_dcs_link(int i, bool out, bool in)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    note(i, std::string("DCS link: requests ") + (out ? "up" : "down") + ", replies " + (in ? "up" : "down"));
    n.dcs_out = out;
    n.dcs_in = in;
}

void world::set_dcs_outage(bool down)
{
    note(-1, down ? "DCS outage" : "DCS back");
    outage_ = down;
}

void world::set_isolated(int i, bool isolated)
{
    note(i, isolated ? "isolated from peers" : "reachable by peers");
    nodes_[static_cast<std::size_t>(i)].isolated = isolated;
}

void world::set_apply_rate(int i, std::uint64_t rate)
{
    note(i, "replication apply rate " + std::to_string(rate) + " B/s");
    nodes_[static_cast<std::size_t>(i)].pg.apply_rate = rate;
}

void world::request_switchover(int from, int to, vtime delay_ms)
{
    // Patroni's REST API (is_failover_possible) refuses a switchover candidate that is not in
    // /sync in synchronous mode (priority, not quorum).
    const auto& sy = dcs_.sync();
    const bool in_sync = sy && to >= 0 &&
                         std::find(sy->sync_standby.begin(), sy->sync_standby.end(), name(to)) != sy->sync_standby.end();
    if (to >= 0 && config_.synchronous_mode == ha::sync_mode::on && !in_sync) {
        note(-1, "switchover to " + name(to) + " refused: candidate name does not match with sync_standby");
        return;
    }
    note(-1, "switchover requested from " + name(from) + (to >= 0 ? " to " + name(to) : std::string()));
    std::optional<std::string> at;
    if (delay_ms > 0) at = iso_time(nodes_[static_cast<std::size_t>(from)].clock.wall(now_ + delay_ms));
    (void)dcs_.write_failover(name(from), to >= 0 ? name(to) : std::string(), 0, std::move(at));
}

void world::request_shutdown(int i)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    if (!n.up) return;
    note(i, "shutdown requested");
    n.shutdown_requested = true;
    if (n.in_cycle) n.wake_pending = true;
    else schedule_cycle(i, now_);
}

void world::start_node(int i)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    n.stay_down = false;
    if (n.up) {
        n.restart_after_exit = n.shutdown_requested;   // still shutting down: start it afterwards
        return;
    }
    ++n.gen;
    restart(i);
}

void world::set_tags(int i, const ha::node_tags& tags)
{
    nodes_[static_cast<std::size_t>(i)].tags = tags;
    ++config_gen_;   // every node rebuilds its configuration on its next read
}

void world::request_failover(int to)
{
    note(-1, "failover requested to " + name(to));
    (void)dcs_.write_failover({}, name(to), 0);
}

void world::set_config(const sim_config& c)
{
    config_ = c;
    config_.adjust();
    ++config_gen_;
    if (opts_.kind == backend::consul) checker_.widen_s1_allowance(config_.ttl_s * 500);
    note(-1, "config ttl=" + std::to_string(config_.ttl_s) + " loop_wait=" + std::to_string(config_.loop_wait_s) +
                 " retry_timeout=" + std::to_string(config_.retry_timeout_s));
    (void)dcs_.write_config("{\"ttl\":" + std::to_string(config_.ttl_s) + ",\"loop_wait\":" +
                            std::to_string(config_.loop_wait_s) + ",\"retry_timeout\":" +
                            std::to_string(config_.retry_timeout_s) + "}");
}

void world::jump_wall(int i, std::int64_t delta_ms) { nodes_[static_cast<std::size_t>(i)].clock.jump_wall(delta_ms); }

void world::heal()
{
    outage_ = false;
    for (int i = 0; i < size(); ++i) {
        auto& n = nodes_[static_cast<std::size_t>(i)];
        n.dcs_out = n.dcs_in = true;
        n.isolated = false;
        n.pg.hung = false;
        n.pg.apply_rate = 0;
        if (n.paused_until > now_) n.paused_until = now_;
        n.stay_down = false;
        n.restart_after_exit = n.shutdown_requested;
        if (!n.up) {
            ++n.gen;
            restart(i);
        }
    }
    note(-1, "healed");
}

// ---------------------------------------------------------------------------
// Observation.

bool world::converged() const { return not_converged_reason().empty(); }

bool world::timeline_deadlock() const
{
    const std::int64_t cluster_tl = dcs_.history_timeline();
    bool any = false;
    for (int i = 0; i < size(); ++i) {
        const auto& n = nodes_[static_cast<std::size_t>(i)];
        if (!n.up || !n.pg.data_ok || tree_.number(n.pg.tli) < cluster_tl) continue;
        any = true;
        bool blocked = false;
        for (int j = 0; j < size(); ++j) {
            const auto& m = nodes_[static_cast<std::size_t>(j)];
            if (j != i && m.up && m.pg.running && m.pg.lsn > n.pg.lsn) blocked = true;
        }
        if (!blocked) return false;
    }
    return any;
}

std::string world::not_converged_reason() const
{
    if (config_.standby) {
        // A standby cluster: nobody writes; the lock holder (the standby leader) streams from
        // the remote primary and every other node streams too (from the standby leader).
        for (int i = 0; i < size(); ++i)
            if (nodes_[static_cast<std::size_t>(i)].pg.accepts_writes(now_)) return "a primary in a standby cluster";
        const int holder = dcs_.leader_holder(now_);
        if (holder < 0) return "no standby leader";
        for (int i = 0; i < size(); ++i) {
            const auto& n = nodes_[static_cast<std::size_t>(i)];
            if (!n.up) return name(i) + " is down";
            if (!n.pg.streaming) return name(i) + " is not streaming";
            if (i == holder && n.pg.upstream != remote_url) return "the standby leader does not follow the remote primary";
        }
        return {};
    }
    int primary = -1;
    for (int i = 0; i < size(); ++i) {
        if (!nodes_[static_cast<std::size_t>(i)].pg.accepts_writes(now_)) continue;
        if (primary >= 0) return "two primaries";
        primary = i;
    }
    if (primary < 0) return "no primary";
    if (dcs_.leader_holder(now_) != primary) return "the primary does not hold the leader key";
    for (int i = 0; i < size(); ++i) {
        if (i == primary) continue;
        const auto& n = nodes_[static_cast<std::size_t>(i)];
        if (!n.up) return name(i) + " is down";
        if (!n.pg.streaming) return name(i) + " is not streaming";
    }
    return {};
}

std::string world::status() const
{
    std::ostringstream os;
    const int holder = dcs_.leader_holder(now_);
    for (int i = 0; i < size(); ++i) {
        const auto& n = nodes_[static_cast<std::size_t>(i)];
        os << n.name << ": ";
        if (!n.up) {
            os << "down" << (n.pg.running ? " (PostgreSQL left running)" : "") << "\n";
            continue;
        }
        const auto& p = n.pg;
        if (!p.data_ok) os << "no data";
        else if (!p.running) os << "stopped";
        else if (p.hung) os << "hung";
        else if (!p.accepting(now_)) os << "starting";
        else os << (p.in_recovery ? "replica" : "primary");
        os << " tl=" << tree_.number(p.tli);
        if (holder == i) os << " lock";
        if (p.running && !p.in_recovery && (p.sync_placeholder || !p.sync_names.empty())) {
            // synchronous_standby_names as written (ha-loop.md 13.2).
            os << " ssn=" << (p.sync_quorum ? "ANY " : "FIRST ") << p.sync_count << "(";
            if (p.sync_placeholder) os << "*";
            for (std::size_t k = 0; k < p.sync_names.size(); ++k) os << (k ? "," : "") << p.sync_names[k];
            os << ")";
        }
        if (p.streaming && p.upstream) os << " <- " << (*p.upstream == remote_url ? std::string("remote") : *p.upstream);
        if (n.paused_until > now_) os << " (paused)";
        os << " | " << n.reason << "\n";
    }
    const auto& fo = dcs_.failover();
    os << "failover key: " << (fo && !fo->empty() ? fo->leader + "->" + fo->member : std::string("none"));
    if (fo && !fo->empty() && fo->scheduled_at) os << " at " << *fo->scheduled_at;
    os << "\n";
    if (const auto& sy = dcs_.sync(); sy && !sy->empty()) {
        os << "sync key: " << sy->leader << " ->";
        for (const auto& s : sy->sync_standby) os << " " << s;
        if (sy->quorum > 0) os << " (quorum " << sy->quorum << ")";
        os << "\n";
    }
    os << "checks: ";
    if (checker_.ok()) os << "ok";
    for (const auto& v : checker_.violations()) os << v.code << " ";
    os << "\n";
    return os.str();
}

std::string world::dcs_dump()
{
    // What `patronictl`'s consistent read would show: true time, no client-side expiry.
    const auto s = dcs_.snapshot(-1, now_, -1, config_.ttl_s * 1000);
    std::ostringstream os;
    os << "initialize: " << (s.initialize ? (s.initialize->empty() ? std::string("(bootstrapping)") : *s.initialize)
                                          : std::string("none"))
       << "\n";
    os << "leader: " << (s.is_unlocked() ? std::string("none") : s.leader->name) << "\n";
    for (const auto& m : s.members)
        os << "member " << m.name << ": " << m.data.role << " " << m.data.state
           << (m.data.timeline ? " tl=" + std::to_string(*m.data.timeline) : std::string()) << "\n";
    os << "history:";
    if (!s.history || s.history->lines.empty()) os << " none";
    for (const auto& l : s.history ? s.history->lines : std::vector<dcs::history_line>{})
        os << " [" << l.parent_timeline << " -> " << l.parent_timeline + 1 << (l.new_leader ? " " + *l.new_leader : std::string())
           << "]";
    os << "\n";
    if (s.failsafe) {
        os << "failsafe:";
        for (const auto& [member, api] : s.failsafe->members) os << " " << member;
        os << "\n";
    }
    return os.str();
}

// ---------------------------------------------------------------------------
// Inputs.

void world::probe_into(int i, pg::local_pg_state& s) const
{
    // Fills a reused value field by field (no allocation once its buffers exist).
    const auto& p = nodes_[static_cast<std::size_t>(i)].pg;
    s.data_dir_empty = !p.data_ok;
    s.running = p.running;
    s.accepting_connections = p.accepting(now_);
    if (!p.data_ok) s.role = pg::pg_role::uninitialized;
    else if (p.running) s.role = p.in_recovery ? pg::pg_role::replica : pg::pg_role::primary;
    else s.role = p.recovery_conf ? pg::pg_role::replica : pg::pg_role::demoted;
    s.state = !p.running ? (p.clean ? pg::pg_state::stopped : pg::pg_state::crashed)
              : s.accepting_connections ? pg::pg_state::running
                                        : pg::pg_state::starting;
    s.in_recovery = p.running ? p.in_recovery : p.recovery_conf;
    s.timeline = tree_.number(p.tli);
    s.received_timeline = p.streaming ? s.timeline : 0;
    if (p.data_ok) s.system_identifier = sysid_;
    else s.system_identifier.reset();
    s.server_version = 150004;
    s.write_lsn = s.receive_lsn = s.replay_lsn = lsn{};
    if (!p.in_recovery) s.write_lsn = lsn{p.lsn};
    else s.receive_lsn = s.replay_lsn = lsn{p.lsn};
    s.is_streaming = p.streaming;
    if (s.upstream != p.upstream) s.upstream = p.upstream;
    s.cleanly_shut_down = p.running ? false : p.clean;
    set_text(s.controldata_state, p.running   ? (p.in_recovery ? "in archive recovery" : "in production")
                                  : p.clean ? (p.recovery_conf ? "shut down in recovery" : "shut down")
                                            : (p.recovery_conf ? "in archive recovery" : "in production"));
    std::size_t k = 0;
    for (int j = 0; j < size(); ++j) {
        const auto& q = nodes_[static_cast<std::size_t>(j)].pg;
        if (j == i || !q.streaming || q.upstream != name(i)) continue;
        const bool sync = std::find(p.sync_names.begin(), p.sync_names.end(), name(j)) != p.sync_names.end();
        if (k == s.replication.size()) s.replication.emplace_back();
        auto& r = s.replication[k++];
        set_text(r.application_name, name(j));
        set_text(r.state, "streaming");
        set_text(r.sync_state, sync ? "sync" : "async");
        r.write_lsn = r.flush_lsn = r.replay_lsn = lsn{q.lsn};
    }
    s.replication.resize(k);
}

void world::facts_into(int i, ha::local_facts& f) const
{
    const auto& n = nodes_[static_cast<std::size_t>(i)];
    f.sysid_valid = n.pg.data_ok;
    f.has_recovery_conf = n.pg.recovery_conf;
    f.pg_rewind_usable = true;
    f.following = n.pg.upstream;
    f.divergence_check = n.divergence;
    // pg_wal/<timeline>.history: one line per fork on this node's lineage
    // (read by decide only on a primary).
    if (n.pg.in_recovery) {
        f.timeline_history.clear();
        return;
    }
    if (n.history_tli != n.pg.tli) {
        // Built once per timeline: the last line's timestamp is the history file's mtime, i.e.
        // about when this node first ran as primary on it.
        n.history_tli = n.pg.tli;
        n.history.clear();
        for (std::int64_t t = n.pg.tli; t > 1; t = tree_.parent(t)) {
            dcs::history_line l;
            l.parent_timeline = tree_.number(tree_.parent(t));
            l.switch_lsn = lsn{tree_.switch_point(t)};
            l.reason = "no recovery target specified";
            n.history.insert(n.history.begin(), std::move(l));
        }
        if (!n.history.empty()) n.history.back().timestamp = iso_time(n.clock.wall(now_));
    }
    f.timeline_history = n.history;   // copy-assignment reuses the element buffers
}

std::vector<ha::peer_status> world::peers(int i, const std::vector<std::string>& names) const
{
    std::vector<ha::peer_status> out;
    const bool me_isolated = nodes_[static_cast<std::size_t>(i)].isolated;
    for (const auto& nm : names) {
        ha::peer_status s;
        s.name = nm;
        const int j = dcs_.index_of(nm);
        if (j >= 0 && j != i) {
            const auto& n = nodes_[static_cast<std::size_t>(j)];
            // GET /patroni needs the process running and answering, and an
            // xlog section, i.e. PostgreSQL accepting connections.
            s.reachable = !me_isolated && !n.isolated && n.up && n.paused_until <= now_ && n.pg.accepting(now_);
            if (s.reachable) {
                s.nofailover = n.tags.is_nofailover();
                s.failover_priority = n.tags.effective_failover_priority();
                s.in_recovery = n.pg.in_recovery;
                s.role = n.pg.in_recovery ? "replica" : "primary";
                s.wal_position = lsn{n.pg.lsn};
                s.timeline = tree_.number(n.pg.tli);
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

// ---------------------------------------------------------------------------
// Actions.

template <class F>
world::outcome_t world::dcs_call(int i, F&& apply)
{
    const auto& n = nodes_[static_cast<std::size_t>(i)];
    if (outage_ || !n.dcs_out) return {step::dcs_error, retry_ms(i)};
    if (opts_.dcs_loss_permille > 0 && rng_.chance(opts_.dcs_loss_permille, 1000)) {
        // Lost: either the request (nothing applied) or the reply (applied).
        // The client retries within its budget, so the request runs again:
        // a create-only write then meets its own key (CAS idempotency).
        if (rng_.chance(1, 2)) {
            PGWARDEN_MARK("sim: DCS reply lost after apply");
            (void)apply();
        }
    }
    const op_status r = apply();
    if (!n.dcs_in) return {step::dcs_error, retry_ms(i)};   // applied, reply never arrives
    const vtime d = dcs_latency();
    switch (r) {
    case op_status::ok: return {step::ok, d};
    case op_status::lost: return {step::lost, d};
    case op_status::error: return {step::dcs_error, retry_ms(i)};
    }
    return {step::dcs_error, d};
}

world::outcome_t world::execute(int i, const ha::action& a)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    const dcs::dcs_version leader_v = n.leader_v;
    return std::visit(
        overloaded{
            [&](const ha::acquire_leader&) {
                auto r = dcs_call(i, [&] { return dcs_.acquire_leader(i, now_, ttl_ms(i), leader_v); });
                if (r.s == step::ok) note(i, "acquired the leader key");
                // A retried create may report a lost race although the key is ours.
                if (dcs_.leader_holder(now_) == i) n.acquired_epoch = dcs_.leader_epoch();
                return r;
            },
            [&](const ha::renew_leader& x) {
                return dcs_call(i, [&] {
                    auto s = dcs_.renew_leader(i, now_, ttl_ms(i), leader_v);
                    if (s == op_status::ok && x.with_status) {
                        (void)dcs_.write_status(x.optime);
                        leader_optime_ = x.optime.value;
                    }
                    return s;
                });
            },
            [&](const ha::release_leader& x) {
                return dcs_call(i, [&] {
                    if (x.optime && dcs_.leader_holder(now_) == i) {
                        (void)dcs_.write_status(*x.optime);
                        leader_optime_ = x.optime->value;
                    }
                    return dcs_.release_leader(i, now_, leader_v);
                });
            },
            [&](const ha::publish_member& x) {
                return dcs_call(i, [&] { return dcs_.publish_member(i, now_, ttl_ms(i), x.data); });
            },
            [&](const ha::write_sync& x) {
                return dcs_call(i, [&] {
                    return dcs_.write_sync(x.value.leader, x.value.sync_standby, x.version, x.value.quorum);
                });
            },
            [&](const ha::delete_sync& x) {
                return dcs_call(i, [&] { return dcs_.write_sync({}, {}, x.version); });
            },
            [&](const ha::write_failover& x) {
                return dcs_call(i, [&] {
                    return dcs_.write_failover(x.value.leader, x.value.member, x.version.value_or(0),
                                               x.value.scheduled_at);
                });
            },
            [&](const ha::clear_failover& x) {
                return dcs_call(i, [&] { return dcs_.clear_failover(x.version.value_or(0)); });
            },
            [&](const ha::write_history& x) {
                auto r = dcs_call(i, [&] { return dcs_.write_history(x.lines); });
                if (n.unpublished_tli && dcs_.history_timeline() >= n.unpublished_tli) n.unpublished_tli = 0;
                return r;
            },
            [&](const ha::write_initialize& x) {
                return dcs_call(i, [&] { return dcs_.write_initialize(x.value, x.create_only); });
            },
            [&](const ha::cancel_initialize&) { return dcs_call(i, [&] { return dcs_.cancel_initialize(); }); },
            [&](const ha::write_config&) { return dcs_call(i, [] { return op_status::ok; }); },
            [&](const ha::write_failsafe& x) { return dcs_call(i, [&] { return dcs_.write_failsafe(x.members); }); },
            [&](const ha::post_failsafe&) {
                n.failsafe_accepted = post_failsafe(i);
                return outcome_t{step::ok, 10};
            },
            [&](const ha::reload_cluster&) { return outcome_t{step::ok, 0}; },
            [&](const ha::fetch_peers&) { return outcome_t{step::ok, 0}; },
            [&](const ha::begin_background&) { return outcome_t{step::ok, 0}; },
            [&](const ha::watchdog_activate&) {
                if (!config_.watchdog) return outcome_t{step::ok, 1};   // automatic mode, no device
                const bool ok = n.wd.activate(now_, watchdog_timeout_ms(i));
                return outcome_t{ok ? step::ok : step::failed, 1};
            },
            [&](const ha::watchdog_keepalive&) {
                // A pending timeout change is applied at keepalive time (ha-loop.md 19).
                if (n.wd.armed) n.wd.timeout_ms = watchdog_timeout_ms(i);
                n.wd.keepalive(now_);
                return outcome_t{step::ok, 1};
            },
            [&](const ha::watchdog_disable&) {
                n.wd.disable();
                return outcome_t{step::ok, 1};
            },
            [&](const ha::run_callback&) { return outcome_t{step::ok, 0}; },
            [&](const ha::cancel_background&) {
                if (n.background) {
                    ++n.bg_token;
                    n.finished = ha::background_result{n.background->name, false, false};
                    n.background.reset();
                    n.bg.clear();
                }
                return outcome_t{step::ok, 0};
            },
            [&](const ha::exit_daemon&) { return outcome_t{step::ok, 0}; },
            [&](const auto&) { return pg_action(i, a); },
        },
        a);
}

bool world::post_failsafe(int i)
{
    // ha-loop.md 17: POST /failsafe to every other member of the last /failsafe topology; each
    // accepts (200 "Accepted") when it answers, has failsafe_mode on and is not running as a
    // primary itself, and then remembers this leader for ttl.
    const auto& n = nodes_[static_cast<std::size_t>(i)];
    bool all = true;
    for (const auto& [member, api] : n.state.failsafe_topology) {
        (void)api;
        const int j = dcs_.index_of(member);
        if (j == i) continue;
        if (j < 0) {
            all = false;
            continue;
        }
        auto& m = nodes_[static_cast<std::size_t>(j)];
        const bool answers = !n.isolated && !m.isolated && m.up && m.paused_until <= now_;
        if (!answers || !config_.failsafe || m.pg.accepts_writes(now_)) {
            all = false;
            continue;
        }
        m.failsafe_from = n.name;
        m.failsafe_at = now_;
        m.failsafe_until = now_ + ttl_ms(j);
    }
    return all;
}

void world::clone_from(int i, int source)
{
    auto& p = nodes_[static_cast<std::size_t>(i)].pg;
    const auto& s = nodes_[static_cast<std::size_t>(source)].pg;
    p.data_ok = true;
    p.running = false;
    p.clean = true;
    p.in_recovery = true;
    p.recovery_conf = true;
    p.tli = s.tli;
    p.lsn = s.lsn;
    p.upstream = name(source);
}

world::outcome_t world::pg_action(int i, const ha::action& a)
{
    auto& n = nodes_[static_cast<std::size_t>(i)];
    auto& p = n.pg;
    const vtime pg_latency = 20;
    if (p.hung) return {step::failed, retry_ms(i) / 2};   // PostgreSQL does not answer
    // The remote primary of a standby cluster, as a source: always reachable and running.
    auto remote_source = [&](const pg::follow_target& t) {
        return config_.standby && !t.member && t.conn_url == remote_url;
    };
    auto source_of = [&](const std::optional<std::string>& member) -> int {
        if (!member) return -1;
        const int j = dcs_.index_of(*member);
        if (j < 0 || j == i) return -1;
        const auto& s = nodes_[static_cast<std::size_t>(j)];
        if (n.isolated || s.isolated || !s.up || !s.pg.accepting(now_)) return -1;
        return j;
    };
    return std::visit(
        overloaded{
            [&](const ha::pg_start& x) -> outcome_t {
                if (!p.data_ok) return {step::failed, pg_latency};
                if (x.follow) p.upstream = upstream_of(*x.follow);
                if (p.running) return {step::ok, pg_latency};
                p.running = true;
                p.clean = false;
                p.in_recovery = x.role != pg::start_role::primary;
                p.recovery_conf = p.in_recovery;
                p.ready_at = now_ + 200 + static_cast<vtime>(rng_.uniform(0, static_cast<std::uint64_t>(
                                                                                std::max<vtime>(opts_.start_delay_max_ms - 200, 0))));
                if (!p.in_recovery) {
                    p.upstream.reset();
                    checker_.started_primary(i, n.name, now_, dcs_.leader_holder(now_));
                    if (config_.standby) checker_.primary_in_standby_cluster(n.name, now_);
                    note(i, "PostgreSQL started as primary");
                }
                return {step::ok, pg_latency};
            },
            [&](const ha::pg_stop& x) -> outcome_t {
                if (x.disable_watchdog_at_safe_point) n.wd.disable();
                if (!p.running) return {step::ok, pg_latency};
                pg_lost(i);
                p.running = false;
                p.streaming = false;
                p.clean = x.mode != pg::stop_mode::immediate;
                note(i, x.mode == pg::stop_mode::immediate ? "PostgreSQL stopped (immediate)" : "PostgreSQL stopped");
                return {step::ok, x.mode == pg::stop_mode::immediate ? pg_latency : 300};
            },
            [&](const ha::pg_promote&) -> outcome_t {
                if (!p.accepting(now_) || !p.in_recovery) return {step::failed, pg_latency};
                promotion_fact f;
                f.node = i;
                f.name = n.name;
                f.at = now_;
                f.holder = dcs_.leader_holder(now_);
                f.position = p.lsn;
                f.leader_optime = leader_optime_;
                f.maximum_lag = config_.maximum_lag_on_failover;
                // Patroni skips the lag check whenever /failover is non-empty
                // (manual_failover_process_no_leader, check_replication_lag=False);
                // the key is cleaned up right after acquiring, so look at the
                // snapshot the node decided on.
                // ... as long as the node kept that key (a restarted process may still hold it).
                const bool same_key = f.holder == i && dcs_.leader_epoch() == n.acquired_epoch;
                f.manual = same_key && n.promote_manual;
                f.chosen = same_key && n.promote_chosen;
                f.forced = same_key && n.promote_forced;
                n.acquired_manual = n.acquired_chosen = n.acquired_forced = false;   // used up
                f.strict = config_.synchronous_mode_strict;
                f.has_acknowledged = tree_.contains(p.tli, p.lsn, ack_tli_, ack_lsn_);
                p.tli = tree_.fork(p.tli, p.lsn);
                f.new_timeline = tree_.number(p.tli);
                checker_.promoted(f);
                if (config_.standby) checker_.primary_in_standby_cluster(n.name, now_);
                n.unpublished_tli = f.new_timeline;
                if (f.forced && !f.has_acknowledged) {
                    // The operator's forced failover dropped the commits the new primary lacks
                    // (Patroni promotes the named candidate unchecked): S4 goes on from here.
                    ack_lsn_ = f.position;
                    ack_tli_ = tree_.owner_at(p.tli, f.position);
                }
                note(i, "promoted to timeline " + std::to_string(f.new_timeline) + " at " + std::to_string(f.position) +
                            (f.strict ? " (last acknowledged commit " + std::to_string(ack_lsn_) + " on tl " +
                                            std::to_string(tree_.number(ack_tli_)) + ")"
                                      : std::string()));
                PGWARDEN_MARK("sim: promotion");
                p.in_recovery = false;
                p.recovery_conf = false;
                p.upstream.reset();
                p.streaming = false;
                return {step::ok, 100};
            },
            [&](const ha::pg_follow& x) -> outcome_t {
                p.upstream = upstream_of(x.target);
                p.recovery_conf = true;
                if (p.running && !p.in_recovery) pg_lost(i);
                if (p.running && (x.restart || !p.in_recovery)) {
                    // A restart to apply the recovery configuration.
                    p.in_recovery = true;
                    p.streaming = false;
                    p.ready_at = now_ + 200;
                }
                return {step::ok, pg_latency};
            },
            [&](const ha::pg_rewind& x) -> outcome_t {
                const int j = source_of(x.source.member);
                if (j < 0 && remote_source(x.source)) {
                    if (p.running) {
                        pg_lost(i);
                        p.running = false;
                        p.streaming = false;
                    }
                    p.lsn = tree_.common(remote_.tli, remote_.lsn, p.tli, p.lsn);
                    p.tli = tree_.owner_at(remote_.tli, p.lsn);
                    p.clean = p.recovery_conf = p.in_recovery = true;
                    p.upstream = remote_url;
                    note(i, "pg_rewind from the remote primary");
                    return {step::ok, 2000};
                }
                if (j < 0) return {step::failed, 1000};
                // Patroni's Rewind.execute stops a running PostgreSQL first.
                if (p.running) {
                    pg_lost(i);
                    p.running = false;
                    p.streaming = false;
                }
                const auto& s = nodes_[static_cast<std::size_t>(j)].pg;
                p.lsn = tree_.common(s.tli, s.lsn, p.tli, p.lsn);
                p.tli = tree_.owner_at(s.tli, p.lsn);
                p.clean = true;
                p.recovery_conf = true;
                p.in_recovery = true;
                p.upstream = name(j);
                note(i, "pg_rewind from " + name(j));
                PGWARDEN_MARK("sim: pg_rewind");
                return {step::ok, 2000};
            },
            [&](const ha::pg_check_divergence& x) -> outcome_t {
                const int j = source_of(x.target.member);
                if (j < 0 && remote_source(x.target)) {
                    n.divergence = tree_.contains(remote_.tli, remote_.lsn, p.tli, p.lsn) ? ha::divergence::no_rewind
                                                                                          : ha::divergence::need_rewind;
                    return {step::ok, pg_latency};
                }
                if (j < 0) {
                    n.divergence = ha::divergence::check_failed;
                    return {step::ok, pg_latency};
                }
                const auto& s = nodes_[static_cast<std::size_t>(j)].pg;
                n.divergence = tree_.contains(s.tli, s.lsn, p.tli, p.lsn) ? ha::divergence::no_rewind
                                                                          : ha::divergence::need_rewind;
                return {step::ok, pg_latency};
            },
            [&](const ha::pg_crash_recovery&) -> outcome_t {
                if (p.running) return {step::failed, pg_latency};
                p.clean = true;
                return {step::ok, 1000};
            },
            [&](const ha::pg_reinitialize& x) -> outcome_t {
                const int j = x.source ? source_of(x.source->member) : -1;
                if (p.running || j < 0) return {step::failed, 1000};
                clone_from(i, j);
                note(i, "reinitialized from " + name(j));
                return {step::ok, 3000};
            },
            [&](const ha::pg_create_replica& x) -> outcome_t {
                const int j = x.source ? source_of(x.source->member) : -1;
                if (p.running || j < 0) return {step::failed, 1000};
                clone_from(i, j);
                note(i, "replica created from " + name(j));
                return {step::ok, 3000};
            },
            [&](const ha::pg_bootstrap& x) -> outcome_t {
                // initdb and start (ha-loop.md 11.1), or a standby leader cloned from the remote
                // primary and started as a standby (11.2).
                if (p.data_ok || p.running || (x.source && !remote_source(*x.source))) return {step::failed, 1000};
                p = fake_pg{};
                p.running = true;
                p.clean = false;
                p.ready_at = now_ + 200 + static_cast<vtime>(rng_.uniform(
                                              0, static_cast<std::uint64_t>(std::max<vtime>(opts_.start_delay_max_ms - 200, 0))));
                if (x.source) {
                    p.tli = remote_.tli;
                    p.lsn = remote_.lsn;
                    p.upstream = remote_url;
                    note(i, "bootstrapped a standby leader from the remote primary");
                    return {step::ok, 3000};
                }
                p.in_recovery = false;
                p.recovery_conf = false;
                p.lsn = 50331744;
                note(i, "initdb: a new cluster");
                return {step::ok, 3000};
            },
            [&](const ha::pg_set_sync_standbys& x) -> outcome_t {
                p.sync_names = x.names.names;
                p.sync_count = x.names.count;
                p.sync_quorum = x.names.quorum;
                p.sync_placeholder = x.names.strict_placeholder;
                if (opts_.trace) {
                    std::string v = x.names.strict_placeholder ? "*" : "";
                    for (const auto& nm : x.names.names) v += (v.empty() ? "" : ",") + nm;
                    note(i, "synchronous_standby_names = '" + v + "'");
                }
                return {step::ok, pg_latency};
            },
            [&](const ha::pg_move_data_dir_aside&) -> outcome_t {
                if (p.running) return {step::failed, pg_latency};
                p.data_ok = false;
                return {step::ok, pg_latency};
            },
            [&](const auto&) -> outcome_t { return {step::ok, pg_latency}; },
        },
        a);
}

} // namespace pgwarden::sim
