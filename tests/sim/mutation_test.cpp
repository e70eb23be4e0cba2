// Goal: each invariant is shown to catch a bug (STYLE.md 4): a deliberately
// broken decision must be found by the simulator within a bounded number of
// seeds, and the unbroken decision must not show it on the same seed.
// Method: wrap ha::decide in a brain that breaks one rule — promote without
// the leader key (S2), skip the lag check (S5), skip the timeline check
// (S3), never demote after losing the key (S1), never configure synchronous
// standbys (S4) — and run swarm
// seeds of a profile that exercises that rule until a violation of the
// expected kind appears.
#include "swarm.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <limits>
#include <string>

using namespace pgwarden;
using namespace pgwarden::sim;

namespace {

template <class Pred>
void drop_actions(ha::transition& t, Pred pred)
{
    t.actions.erase(std::remove_if(t.actions.begin(), t.actions.end(), pred), t.actions.end());
}

/// Promotes without taking the leader key: the acquire is dropped.
struct no_lock_brain : brain {
    ha::transition decide(int node, const ha::ha_state& s, const ha::inputs& in) noexcept override
    {
        auto t = brain::decide(node, s, in);
        drop_actions(t, [](const ha::action& a) { return std::holds_alternative<ha::acquire_leader>(a); });
        return t;
    }
};

/// Ignores maximum_lag_on_failover.
struct no_lag_check_brain : brain {
    void patch_config(ha::ha_config& c) const noexcept override
    {
        c.maximum_lag_on_failover = std::numeric_limits<std::uint64_t>::max() / 2;
    }
};

/// Lets a node behind the cluster timeline race (Patroni's default check_timeline: false).
struct no_timeline_check_brain : brain {
    void patch_config(ha::ha_config& c) const noexcept override { c.check_timeline = false; }
};

/// Keeps a running primary up whatever happens to the key.
struct no_demote_brain : brain {
    ha::transition decide(int node, const ha::ha_state& s, const ha::inputs& in) noexcept override
    {
        auto t = brain::decide(node, s, in);
        const auto* local = in.local.get();
        if (local && local->running && !local->in_recovery)
            drop_actions(t, [](const ha::action& a) {
                return std::holds_alternative<ha::pg_stop>(a) || std::holds_alternative<ha::pg_follow>(a);
            });
        return t;
    }
};

/// Never sets synchronous_standby_names: commits are acknowledged at once.
struct no_sync_brain : brain {
    ha::transition decide(int node, const ha::ha_state& s, const ha::inputs& in) noexcept override
    {
        auto t = brain::decide(node, s, in);
        drop_actions(t, [](const ha::action& a) { return std::holds_alternative<ha::pg_set_sync_standbys>(a); });
        return t;
    }
};

/// Runs up to `budget` seeds; returns the first seed whose violations contain `code`.
std::optional<std::uint64_t> hunt(brain& b, const std::string& profile, int nodes, const std::string& code,
                                  int budget, void (*tweak)(fault_profile&) = nullptr)
{
    for (int i = 0; i < budget; ++i) {
        const std::uint64_t seed = 0xC0FFEEULL + static_cast<std::uint64_t>(i);
        auto p = fault_profile::draw(seed, profile, nodes);
        if (tweak) tweak(*p);
        const auto r = run_seed(seed, *p, &b);
        if (r.code != verdict::correctness || r.detail.find(code) == std::string::npos) continue;
        // The same seed with the unbroken decision must not show this violation.
        const auto clean = run_seed(seed, *p);
        BOOST_TEST_MESSAGE(code << " found by seed " << seed << " after " << i + 1 << " seed(s)");
        BOOST_TEST(clean.detail.find(code) == std::string::npos, "seed " << seed << " unbroken: " << clean.detail);
        return seed;
    }
    return std::nullopt;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sim_mutations)

BOOST_AUTO_TEST_CASE(s2_catches_promotion_without_the_lock)
{
    no_lock_brain b;
    BOOST_TEST(hunt(b, "crash", 3, "S2", 50).has_value());
}

BOOST_AUTO_TEST_CASE(s5_catches_a_skipped_lag_check)
{
    no_lag_check_brain b;
    BOOST_TEST(hunt(b, "lag", 2, "S5", 200, [](fault_profile& p) {
                   p.world.config.maximum_lag_on_failover = 65536;
                   p.world.write_rate = 1000000;
               }).has_value());
}

BOOST_AUTO_TEST_CASE(s3_catches_a_race_won_on_a_stale_timeline)
{
    no_timeline_check_brain b;
    BOOST_TEST(hunt(b, "swarm", 4, "S3", 400).has_value());
}

BOOST_AUTO_TEST_CASE(s1_catches_a_missing_demotion)
{
    no_demote_brain b;
    // A primary that keeps running answers "primary" to the race (Patroni: "Primary is still
    // alive"), so the violation needs it cut off from its peers too: about 130 seeds.
    BOOST_TEST(hunt(b, "partition", 3, "S1", 400).has_value());
}

BOOST_AUTO_TEST_CASE(s4_catches_acknowledged_commits_without_sync_standbys)
{
    no_sync_brain b;
    BOOST_TEST(hunt(b, "lag", 3, "S4", 200, [](fault_profile& p) {
                   p.world.config.synchronous_mode = ha::sync_mode::on;
                   p.world.config.synchronous_mode_strict = true;
                   p.world.config.maximum_lag_on_failover = 1ULL << 40;
               }).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
