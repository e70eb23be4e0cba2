// Goal: ha::decide keeps S1-S5 and converges after faults, over many seeds.
// Method: TigerBeetle-style swarm. Each data point is one seed = base ^ i;
// the seed draws its own fault profile (fault_profile::draw), runs a safety
// phase of random faults, heals, and must converge within the liveness
// bound. ctest runs shards of PGWARDEN_SIM_SHARD_SIZE seeds
// (PGWARDEN_SIM_SHARD = k covers i in [k*size, (k+1)*size)); the base is
// fixed so CI is reproducible, and PGWARDEN_SIM_SEED overrides it locally.
// PGWARDEN_SIM_PROFILE picks the profile (default swarm; `modes` adds the
// cluster modes: quorum, failsafe, standby cluster, tags, pause, shutdown).
#include "swarm.hpp"
#include "support/marks.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

namespace {

std::uint64_t env_or(const char* name, std::uint64_t fallback)
{
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return fallback;
    return std::strtoull(v, nullptr, 0);
}

std::uint64_t shard_size() { return env_or("PGWARDEN_SIM_SHARD_SIZE", 200); }
std::uint64_t shard() { return env_or("PGWARDEN_SIM_SHARD", 0); }
std::uint64_t base_seed() { return env_or("PGWARDEN_SIM_SEED", 0x9e3779b97f4a7c15ULL); }
std::string profile_name()
{
    const char* v = std::getenv("PGWARDEN_SIM_PROFILE");
    return v != nullptr && *v != '\0' ? std::string(v) : std::string("swarm");
}

} // namespace

/// At the end of the run, lists the simulator's coverage marks that no seed
/// reached (TigerBeetle marks.zig): a fault path the swarm never exercised.
struct sim_marks_report {
    ~sim_marks_report()
    {
        static const char* const expected[] = {"sim: promotion", "sim: pg_rewind", "sim: watchdog reset a node",
                                               "sim: woken by leader watch", "sim: DCS reply lost after apply"};
        if (pgwarden::marks::hits().empty()) return;   // the swarm did not run
        std::string missing;
        for (const char* m : expected)
            if (pgwarden::marks::count(m) == 0) missing += std::string(" \"") + m + "\"";
        std::cout << "sim marks not reached:" << (missing.empty() ? std::string(" none") : missing) << std::endl;
    }
};
BOOST_TEST_GLOBAL_FIXTURE(sim_marks_report);

namespace bdata = boost::unit_test::data;

BOOST_DATA_TEST_CASE(swarm, bdata::xrange(shard_size()), i)
{
    using namespace pgwarden::sim;
    const std::uint64_t seed = base_seed() ^ (shard() * shard_size() + static_cast<std::uint64_t>(i));
    const std::string name = profile_name();
    const auto profile = fault_profile::draw(seed, name, std::nullopt);
    BOOST_REQUIRE(profile.has_value());
    const auto r = run_seed(seed, *profile);
    BOOST_TEST((r.code == verdict::pass), "seed " << seed << " " << r.profile << "\n"
                                                 << r.detail << "replay: pgwarden-sim --seed=" << seed
                                                 << " --profile=" << name << " --trace");
}
