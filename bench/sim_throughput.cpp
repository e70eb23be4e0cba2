// Simulated node-cycles per second of the level-1 simulator (goal: >= 1e6).
//
// A node-cycle is one ha::decide call with its inputs built from the fake
// world and its actions applied. The benchmark runs whole swarm seeds (the
// same work as the ctest swarm) on one thread and divides the decide calls by
// the wall time. It prints figures and asserts nothing. The wall time counts
// whatever else runs on the machine: compare runs made under the same load.
#include "swarm.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv)
{
    using namespace pgwarden::sim;
    const std::uint64_t seeds = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 2000;
    std::uint64_t cycles = 0, events = 0, failed = 0, waived = 0;
    const auto start = std::chrono::steady_clock::now();
    for (std::uint64_t s = 1; s <= seeds; ++s) {
        const auto p = fault_profile::draw(s, "swarm", std::nullopt);
        const auto r = run_seed(s, *p);
        cycles += r.node_cycles;
        events += r.events;
        failed += r.code != verdict::pass;
        waived += r.detail.rfind("liveness waived", 0) == 0;   // Patroni's timeline deadlock
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // One thread, one core: the figure the goal (>= 1e6) is about. Nothing here runs in parallel.
    std::printf("seeds=%llu failed=%llu liveness-waived=%llu wall=%.2fs\n", static_cast<unsigned long long>(seeds),
                static_cast<unsigned long long>(failed), static_cast<unsigned long long>(waived), secs);
    std::printf("node-cycles=%llu events=%llu\n", static_cast<unsigned long long>(cycles),
                static_cast<unsigned long long>(events));
    std::printf("node-cycles per second (1 thread): %.0f\n", static_cast<double>(cycles) / secs);
    std::printf("events per second (1 thread): %.0f\n", static_cast<double>(events) / secs);
    std::printf("seeds per second (1 thread): %.1f\n", static_cast<double>(seeds) / secs);
    return 0;
}
