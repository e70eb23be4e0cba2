// The swarm driver: see swarm.hpp.
#include "swarm.hpp"

#include <pgwarden/core/rng.hpp>

#include <algorithm>
#include <functional>
#include <sstream>

namespace pgwarden::sim {

const std::vector<std::string>& profile_names()
{
    static const std::vector<std::string> names{"swarm",      "calm", "crash", "partition", "pause",
                                                "switchover", "lag",  "modes"};
    return names;
}

namespace {

unsigned faults_of(const std::string& name, rng& r)
{
    if (name == "calm") return 0;
    if (name == "crash") return f_crash | f_pg_crash | f_pg_hang;
    if (name == "partition") return f_partition | f_one_way | f_outage | f_isolate;
    if (name == "pause") return f_pause | f_clock_jump;
    if (name == "switchover") return f_switchover | f_failover | f_knobs;
    if (name == "lag") return f_lag | f_crash | f_failover;
    // swarm (modes): each kind on with probability 1/2, at least one.
    const unsigned all = name == "modes" ? f_all_modes : f_all;
    unsigned bits = 0;
    while (bits == 0)
        for (unsigned b = 1; b < all; b <<= 1)
            if (r.chance(1, 2)) bits |= b;
    return bits;
}

sim_config draw_knobs(rng& r, backend kind)
{
    sim_config c;
    c.ttl_s = static_cast<std::int64_t>(r.uniform(20, 60));
    c.loop_wait_s = static_cast<std::int64_t>(r.uniform(1, 15));
    c.retry_timeout_s = static_cast<std::int64_t>(r.uniform(3, 15));
    c.adjust();
    // Patroni's Consul session has TTL ttl/2, refreshed once per cycle, and Consul may end it one
    // TTL after the last refresh: with loop_wait >= ttl/2 the leader's session lapses between
    // two cycles and leadership flaps for as long as that setting lasts (docs/notes/sim.md).
    if (kind == backend::consul) c.loop_wait_s = std::min(c.loop_wait_s, std::max<std::int64_t>(1, c.ttl_s / 2 - 1));
    return c;
}

} // namespace

std::optional<fault_profile> fault_profile::draw(std::uint64_t seed, const std::string& name,
                                                 std::optional<int> nodes)
{
    if (std::find(profile_names().begin(), profile_names().end(), name) == profile_names().end()) return std::nullopt;
    rng r(seed ^ 0x5157415253ULL);
    fault_profile p;
    p.name = name;
    auto& w = p.world;
    w.seed = seed;
    w.kind = static_cast<backend>(r.uniform(0, 3));
    w.nodes = nodes ? *nodes : static_cast<int>(r.uniform(1, 5));
    w.config = draw_knobs(r, w.kind);
    static constexpr std::uint64_t lags[] = {65536, 1048576, 16777216};
    w.config.maximum_lag_on_failover = lags[r.uniform(0, 2)];
    const auto sync = r.uniform(0, 3);
    w.config.synchronous_mode = sync >= 2 && w.nodes >= 2 ? ha::sync_mode::on : ha::sync_mode::off;
    w.config.synchronous_mode_strict = sync == 3 && w.nodes >= 2;
    w.config.watchdog = !r.chance(1, 8);
    w.dcs_latency_max_ms = static_cast<vtime>(r.uniform(1, 200));
    w.dcs_loss_permille = r.chance(1, 2) ? 0 : static_cast<unsigned>(r.uniform(1, 50));
    w.write_rate = r.uniform(10000, 2000000);
    w.max_drift_ppm = static_cast<std::int64_t>(r.uniform(0, 2000));
    w.start_delay_max_ms = static_cast<vtime>(r.uniform(300, 20000));
    p.faults = faults_of(name, r);
    // Without a watchdog, a pause beyond the TTL is a split brain Patroni
    // does not claim to prevent: such profiles keep pauses short.
    p.safety_ms = static_cast<vtime>(r.uniform(5, 20)) * 60000;
    p.mean_gap_ms = static_cast<vtime>(r.uniform(10, 120)) * 1000;
    if (name == "modes") {
        // Drawn after everything above, so the other profiles' draws are unchanged.
        auto& c = w.config;
        const auto sync = r.uniform(0, 5);   // off, on, strict, quorum, quorum strict, off
        c.synchronous_mode = w.nodes < 2 || sync == 0 || sync == 5 ? ha::sync_mode::off
                             : sync <= 2                          ? ha::sync_mode::on
                                                                  : ha::sync_mode::quorum;
        c.synchronous_mode_strict = c.synchronous_mode != ha::sync_mode::off && (sync == 2 || sync == 4);
        c.synchronous_node_count = static_cast<int>(r.uniform(1, static_cast<std::uint64_t>(std::max(1, w.nodes - 1))));
        c.failsafe = r.chance(1, 3);
        c.standby = r.chance(1, 6);
        p.tags.resize(static_cast<std::size_t>(w.nodes));
        for (int i = 1; i < w.nodes; ++i) {
            auto& t = p.tags[static_cast<std::size_t>(i)];
            const auto pick = r.uniform(0, 7);
            if (pick == 0) t.nofailover = true;
            else if (pick <= 2) t.failover_priority = static_cast<std::int64_t>(r.uniform(1, 5));
            else if (pick == 3 && !p.tags[0].replicatefrom) {
                // Cascading, acyclic: from a lower-numbered member that replicates from the leader.
                const auto j = static_cast<std::size_t>(r.uniform(0, static_cast<std::uint64_t>(i - 1)));
                if (!p.tags[j].replicatefrom) t.replicatefrom = "node" + std::to_string(j + 1);
            } else if (pick == 4) {
                t.nosync = true;
            }
        }
    }
    return p;
}

std::string fault_profile::describe() const
{
    std::ostringstream os;
    const auto& c = world.config;
    os << "profile=" << name << " backend=" << to_string(world.kind) << " nodes=" << world.nodes
       << " ttl=" << c.ttl_s << " loop_wait=" << c.loop_wait_s << " retry_timeout=" << c.retry_timeout_s
 << " max_lag=" << c.maximum_lag_on_failover << " sync="
       << (c.synchronous_mode == ha::sync_mode::quorum ? (c.synchronous_mode_strict ? "quorum-strict" : "quorum")
           : c.synchronous_mode_strict                  ? "strict"
           : c.synchronous_mode == ha::sync_mode::on    ? "on"
                                                        : "off")
       << (c.synchronous_mode != ha::sync_mode::off ? " sync_count=" + std::to_string(c.synchronous_node_count) : "")
       << (c.failsafe ? " failsafe=on" : "") << (c.standby ? " standby=on" : "") << " watchdog=" << (c.watchdog ? "on" : "off") << " dcs_latency<=" << world.dcs_latency_max_ms
       << "ms loss=" << world.dcs_loss_permille << "/1000 write_rate=" << world.write_rate
       << " drift<=" << world.max_drift_ppm << "ppm start<=" << world.start_delay_max_ms << "ms safety="
       << safety_ms / 1000 << "s gap~" << mean_gap_ms / 1000 << "s faults=";
    static const char* names[] = {"crash",   "pause", "pg_crash",   "pg_hang",   "partition",  "one_way",
                                  "outage",  "isolate", "lag",      "switchover", "failover", "knobs",
                                  "clock_jump", "pause_mode", "shutdown"};
    bool first = true;
    for (unsigned b = 0; b < 15; ++b)
        if (faults & (1u << b)) {
            os << (first ? "" : ",") << names[b];
            first = false;
        }
    if (first) os << "none";
    for (std::size_t i = 0; i < tags.size(); ++i) {
        const auto& t = tags[i];
        if (t.nofailover) os << " node" << i + 1 << ":nofailover";
        if (t.failover_priority) os << " node" << i + 1 << ":failover_priority=" << *t.failover_priority;
        if (t.replicatefrom) os << " node" << i + 1 << ":replicatefrom=" << *t.replicatefrom;
        if (t.nosync) os << " node" << i + 1 << ":nosync";
    }
    return os.str();
}

namespace {

/// Undo actions of timed faults, ordered by time.
struct pending_undo {
    vtime at;
    std::function<void(world&)> undo;
};

void inject(world& w, rng& r, const fault_profile& p, std::vector<pending_undo>& undos)
{
    std::vector<unsigned> kinds;
    for (unsigned b = 1; b < f_all_modes; b <<= 1)
        if (p.faults & b) kinds.push_back(b);
    if (kinds.empty()) return;
    const unsigned k = kinds[r.uniform(0, kinds.size() - 1)];
    const int n = static_cast<int>(r.uniform(0, static_cast<std::uint64_t>(w.size() - 1)));
    const auto& c = w.config();
    const vtime ttl = c.ttl_s * 1000;
    const vtime d = static_cast<vtime>(r.uniform(1000, static_cast<std::uint64_t>(3 * ttl)));
    // Maintenance mode disarms the watchdog (ha-loop.md 19), and a primary whose PostgreSQL hangs
    // cannot arm it again when the pause ends: with pause_mode in the profile, pauses and hangs
    // stay as short as without a watchdog.
    const bool guarded = c.watchdog && !(p.faults & f_pause_mode);
    switch (k) {
    case f_crash: w.crash_node(n, static_cast<vtime>(r.uniform(1000, 60000))); break;
    case f_pause: {
        const vtime len = guarded ? static_cast<vtime>(r.uniform(1000, static_cast<std::uint64_t>(2 * ttl)))
                                  : static_cast<vtime>(r.uniform(100, 2000));
        w.pause_node(n, len);
        break;
    }
    case f_pg_crash: w.pg_crash(n); break;
    case f_pg_hang:
        // A hung primary that resumes accepts writes until its next cycle;
        // only the watchdog bounds that, so without one hangs stay short.
        w.pg_hang(n, true);
        undos.push_back({w.now() + (guarded ? d : static_cast<vtime>(r.uniform(100, 2000))),
                         [n](world& x) { x.pg_hang(n, false); }});
        break;
    case f_partition:
        w.set_dcs_link(n, false, false);
        undos.push_back({w.now() + d, [n](world& x) { x.set_dcs_link(n, true, true); }});
        break;
    case f_one_way:
        // Requests arrive, replies are lost: every write is applied unseen.
        w.set_dcs_link(n, true, false);
        undos.push_back({w.now() + d, [n](world& x) { x.set_dcs_link(n, true, true); }});
        break;
    case f_outage:
        w.set_dcs_outage(true);
        undos.push_back({w.now() + d, [](world& x) { x.set_dcs_outage(false); }});
        break;
    case f_isolate:
        w.set_isolated(n, true);
        undos.push_back({w.now() + d, [n](world& x) { x.set_isolated(n, false); }});
        break;
    case f_lag:
        w.set_apply_rate(n, r.uniform(1000, 50000));
        undos.push_back({w.now() + 3 * d, [n](world& x) { x.set_apply_rate(n, 0); }});
        break;
    case f_switchover: {
        const int holder = w.leader_holder();
        if (holder < 0 || w.size() < 2) break;
        int to = static_cast<int>(r.uniform(0, static_cast<std::uint64_t>(w.size() - 1)));
        // The modes profile also schedules some (scheduled_at up to two minutes ahead).
        const vtime at = p.name == "modes" && r.chance(1, 3) ? static_cast<vtime>(r.uniform(1000, 120000)) : 0;
        w.request_switchover(holder, to == holder ? -1 : to, at);
        break;
    }
    case f_pause_mode: {
        sim_config nc = c;
        nc.pause = true;
        w.set_config(nc);
        undos.push_back({w.now() + d, [](world& x) {
                             sim_config back = x.config();
                             back.pause = false;
                             x.set_config(back);
                         }});
        break;
    }
    case f_shutdown:
        w.request_shutdown(n);
        undos.push_back({w.now() + d, [n](world& x) { x.start_node(n); }});
        break;
    case f_failover:
        if (w.size() >= 2) w.request_failover(n);
        break;
    case f_knobs: {
        sim_config nc = c;
        const sim_config drawn = draw_knobs(r, w.options_kind());
        nc.ttl_s = drawn.ttl_s;
        nc.loop_wait_s = drawn.loop_wait_s;
        nc.retry_timeout_s = drawn.retry_timeout_s;
        w.set_config(nc);
        break;
    }
    case f_clock_jump:
        w.jump_wall(n, static_cast<std::int64_t>(r.uniform(0, 7200000)) - 3600000);
        break;
    default: break;
    }
}

} // namespace

run_result run_seed(std::uint64_t seed, const fault_profile& profile, brain* decider)
{
    run_result out;
    out.profile = profile.describe();
    world w(profile.world, decider);
    for (std::size_t i = 0; i < profile.tags.size(); ++i) w.set_tags(static_cast<int>(i), profile.tags[i]);
    rng r(seed ^ 0xFA017ULL);
    std::vector<pending_undo> undos;
    auto fail_if_unsafe = [&]() {
        if (w.check().ok()) return false;
        out.code = verdict::correctness;
        for (const auto& v : w.check().violations())
            out.detail += v.code + " at t=" + std::to_string(v.at) + "ms: " + v.text + "\n";
        return true;
    };
    auto finish = [&]() {
        out.node_cycles = w.node_cycles();
        out.events = w.events();
        out.trace = w.trace();
        return out;
    };

    // Safety phase: random faults at random times.
    vtime next_fault = static_cast<vtime>(r.uniform(0, static_cast<std::uint64_t>(2 * profile.mean_gap_ms)));
    while (w.now() < profile.safety_ms) {
        vtime next = std::min(next_fault, profile.safety_ms);
        for (const auto& u : undos) next = std::min(next, u.at);
        w.run_until(next);
        if (fail_if_unsafe()) return finish();
        for (std::size_t k = 0; k < undos.size();)
            if (undos[k].at <= w.now()) {
                undos[k].undo(w);
                undos.erase(undos.begin() + static_cast<std::ptrdiff_t>(k));
            } else {
                ++k;
            }
        if (w.now() >= next_fault && w.now() < profile.safety_ms) {
            if (profile.faults != 0) inject(w, r, profile, undos);
            next_fault = w.now() + static_cast<vtime>(r.uniform(1, static_cast<std::uint64_t>(2 * profile.mean_gap_ms)));
        }
    }

    // Liveness phase: heal everything (maintenance mode ends too); the cluster must converge,
    // and stay converged for a few loops, within the bound.
    w.heal();
    if (w.config().pause) {
        sim_config c = w.config();
        c.pause = false;
        w.set_config(c);
    }
    const vtime deadline = w.now() + w.config().liveness_bound_ms();
    const vtime settle = 3 * w.config().loop_wait_s * 1000;
    std::optional<vtime> converged_since;
    while (w.now() < deadline) {
        w.run_until(w.now() + 1000);
        if (fail_if_unsafe()) return finish();
        if (!w.converged()) {
            converged_since.reset();
            continue;
        }
        if (!converged_since) converged_since = w.now();
        if (w.now() - *converged_since >= settle) return finish();
    }
    if (w.not_converged_reason() == "no primary" && w.timeline_deadlock()) {
        // Every node at or past the /history timeline is behind some node of an older timeline
        // in raw WAL position: Patroni's rules elect nobody (check_timeline rejects the older
        // timeline, Ha._is_healthiest_node compares raw positions), and it waits for an operator.
        // Reached when a primary kept writing past a newer primary's fork (a manual switchover
        // skips the lag check; a Consul session may end at ttl/2). See docs/notes/sim.md.
        out.detail = "liveness waived: timeline deadlock (Patroni elects nobody)\n";
        return finish();
    }
    out.code = verdict::liveness;
    out.detail = "not converged " + std::to_string(w.config().liveness_bound_ms() / 1000) +
                 "s after heal: " + w.not_converged_reason() + "\n" + w.status();
    return finish();
}

} // namespace pgwarden::sim
