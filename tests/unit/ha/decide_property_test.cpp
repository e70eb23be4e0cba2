// Goal: properties every decide() result must have, on inputs no hand-written
// case thought of: legal role edge, prefix safety (stop before release,
// promote after taking/refreshing the lock), queries returned alone with the
// state unchanged, the "PAUSE: " prefix exactly when paused, and a member key
// written in every non-query cycle whose DCS access did not fail.
// Method: 30 000 random inputs from a fixed-seed splitmix64 over the fixture's
// knobs (lock owner, roles, running/starting, sync modes, feedback, failover
// keys, peers, background tasks, requests). A failure prints the iteration.
#include "fixture.hpp"

#include <cstdint>

using namespace ha_test;

namespace {

struct splitmix {
    std::uint64_t s;
    std::uint64_t next()
    {
        std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    bool coin(int percent = 50) { return below(100) < static_cast<std::uint64_t>(percent); }
};

void randomize(fixture& f, splitmix& r)
{
    const char* who[] = {"", "n1", "n2", "n3"};
    if (const char* l = who[r.below(4)]; *l) f.lock(l);
    if (r.coin(40)) f.as_primary();
    const node_role roles[] = {node_role::uninitialized, node_role::primary, node_role::replica,
                               node_role::standby_leader, node_role::demoted, node_role::promoted};
    f.st.role = roles[r.below(6)];
    f.pg.running = r.coin(80);
    f.pg.accepting_connections = r.coin(85);
    f.pg.data_dir_empty = r.coin(8);
    f.pg.receive_lsn = f.pg.replay_lsn = lsn{r.below(300)};
    f.pg.write_lsn = lsn{r.below(300)};
    f.pg.controldata_state = r.coin() ? "in production" : "shut down in recovery";
    f.cfg.pause = r.coin(20);
    f.cfg.synchronous_mode = static_cast<sync_mode>(r.below(3));
    f.cfg.synchronous_mode_strict = r.coin(30);
    f.cfg.failsafe_mode = r.coin(20);
    f.cfg.watchdog = static_cast<watchdog_mode>(r.below(3));
    f.cfg.watchdog_usable = r.coin(80);
    f.cfg.primary_race_backoff = std::chrono::seconds(r.coin(20) ? 30 : 0);
    f.cfg.primary_start_timeout = std::chrono::seconds(r.coin(20) ? 0 : 300);
    f.cfg.tags.nofailover = r.coin(15) ? std::optional<bool>(true) : std::nullopt;
    if (r.coin(15)) f.cfg.standby_cluster = standby_cluster_config{"10.0.0.1", "5432", {}, {}, {}, {}, {}};
    if (r.coin(15)) f.cl.initialize.reset();
    if (r.coin(25)) f.cl.sync = sync_rec(2, who[1 + r.below(3)], {who[1 + r.below(3)]}, static_cast<std::int64_t>(r.below(2)));
    if (r.coin(20)) f.cl.failover = failover_rec(3, r.coin() ? who[1 + r.below(3)] : "", r.coin() ? who[1 + r.below(3)] : "");
    if (r.coin(10)) f.st.watchdog_active = true;
    f.st.leader_until = r.coin() ? std::optional<mono_time>(f.t0 + std::chrono::seconds(5)) : std::nullopt;
    f.st.recovering = r.coin(10);
    f.st.bootstrapping = r.coin(5);
    f.st.callback_fired = r.coin(90);
    f.st.was_paused = r.coin(20);
    f.st.rewind = static_cast<rewind_state>(r.below(7));
    f.st.pg_was_running = r.coin();
    f.in.facts.pg_rewind_usable = r.coin(30);
    f.in.facts.divergence_check = static_cast<divergence>(r.below(4));
    const char* fb[] = {"acquire_leader", "renew_leader", "watchdog_activate", "write_sync", "write_initialize"};
    if (r.coin(25)) f.in.feedback = action_feedback{fb[r.below(5)], static_cast<outcome>(r.below(3))};
    if (r.coin(10)) f.in.background = background_task{r.coin() ? "promote" : "restart", f.t0, r.coin()};
    if (r.coin(5)) f.in.finished = background_result{"promote", false, true};
    if (r.coin(70)) f.peers({peer("n2", r.below(300), r.coin(90)), peer("n3", r.below(300))});
    if (r.coin(50)) f.in.failsafe_all_accepted = r.coin();
    if (r.coin(5)) f.in.requests.shutdown = true;
    if (r.coin(5)) f.in.requests.restart = local_requests::restart_request{};
    if (r.coin(5)) f.in.requests.reinitialize = local_requests::reinitialize_request{r.coin(), r.coin()};
}

bool is_query(const transition& t)
{
    return t.actions.size() == 1 && (std::holds_alternative<fetch_peers>(t.actions[0]) ||
                                     std::holds_alternative<post_failsafe>(t.actions[0]) ||
                                     std::holds_alternative<pg_check_divergence>(t.actions[0]));
}

} // namespace

BOOST_AUTO_TEST_SUITE(ha_decide_properties)

BOOST_AUTO_TEST_CASE(random_inputs_keep_the_invariants)
{
    splitmix r{0xDEC1DE};
    int queries = 0, failures = 0;
    for (int i = 0; i < 30000 && failures < 5; ++i) {
        fixture f;
        randomize(f, r);
        const bool dcs_down = r.coin(10);
        if (dcs_down) f.in.cluster = dcs_unavailable{f.t0, error_code{}};
        else f.in.cluster = f.cl;
        f.in.local = f.pg;
        f.in.config = &f.cfg;
        BOOST_TEST_CHECKPOINT("iteration " << i);
        const auto t = decide(f.st, f.in);
        const node_role from = seeded_role(f.st, f.pg, f.in.facts);
        bool ok = is_legal(f.st.role, from) && is_legal(from, t.next.role);
        check_prefix_safety(t, f.pg.running && !f.pg.in_recovery && !f.cfg.pause);
        const bool dcs_failed = dcs_down || t.reason.find("DCS is not accessible") != std::string::npos ||
                                t.reason.find("failsafe mode") != std::string::npos;
        if (is_query(t)) {
            ++queries;
            ok = ok && t.next.role == f.st.role && t.next.leader_until == f.st.leader_until;
        } else {
            ok = ok && (t.reason.rfind("PAUSE: ", 0) == 0) == f.cfg.pause && !t.reason.empty();
            const bool exiting = t.next.exit_requested;
            if (!dcs_failed && !exiting) ok = ok && find<publish_member>(t) != nullptr;
        }
        if (!ok) {
            ++failures;
            BOOST_TEST_MESSAGE("iteration " << i << ": " << t.reason << " [" << joined(names(t)) << "]");
        }
    }
    BOOST_TEST(failures == 0);
    BOOST_TEST(queries > 0);   // the generator does reach the query paths
}

BOOST_AUTO_TEST_SUITE_END()
