// pgwarden-sim: runs the level-1 simulator (tests/sim) for one seed or many.
//
//   pgwarden-sim --seed N | --seeds K [--nodes N] [--profile NAME] [--trace]
//   pgwarden-sim --scenario FILE [--rewrite] [--trace | --trace-all]
//
// Exit codes (STYLE.md 4): 0 pass, 127 crash/assert, 128 liveness,
// 129 correctness. The seed and profile are printed first; a failure prints
// the command that replays it.
#include "scenario.hpp"
#include "swarm.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

void on_abort(int) { _exit(127); }   // PGWARDEN_ASSERT aborts: a crash verdict

int usage()
{
    std::cerr << "usage: pgwarden-sim --seed N | --seeds K [--nodes N] [--profile NAME] [--trace | --trace-all] [--keep-going]\n"
                 "       pgwarden-sim --scenario FILE [--rewrite] [--trace | --trace-all]\n"
                 "profiles:";
    for (const auto& p : pgwarden::sim::profile_names()) std::cerr << " " << p;
    std::cerr << "\n";
    return 2;
}

std::optional<std::uint64_t> number(const char* s)
{
    char* end = nullptr;
    const auto v = std::strtoull(s, &end, 0);
    if (end == s || *end != '\0') return std::nullopt;
    return v;
}

int run_scenario_file(const std::string& path, bool rewrite, bool trace, bool trace_all)
{
    std::ifstream in(path);
    if (!in) {
        std::cerr << "cannot read " << path << "\n";
        return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto out = pgwarden::sim::run_scenario(ss.str(), trace ? (trace_all ? 2 : 1) : 0);
    if (trace) std::cout << "--- trace ---\n" << out.trace << "---\n";
    if (rewrite) {
        std::ofstream(path) << out.rewritten;
        std::cout << "rewrote " << path << "\n";
        return 0;
    }
    for (const auto& m : out.mismatches) std::cout << m << "\n\n";
    std::cout << (out.mismatches.empty() ? "scenario ok\n" : "scenario FAILED\n");
    return out.mismatches.empty() ? 0 : 129;
}

} // namespace

int main(int argc, char** argv)
{
    using namespace pgwarden::sim;
    std::signal(SIGABRT, on_abort);
    std::optional<std::uint64_t> seed, seeds;
    std::optional<int> nodes;
    std::string profile = "swarm", scenario;
    bool rewrite = false, trace = false, trace_all = false, keep_going = false;
    std::uint64_t failures = 0;
    for (int k = 1; k < argc; ++k) {
        std::string a = argv[k];
        std::string v;
        if (auto eq = a.find('='); eq != std::string::npos) {
            v = a.substr(eq + 1);
            a = a.substr(0, eq);
        } else if ((a == "--seed" || a == "--seeds" || a == "--nodes" || a == "--profile" || a == "--scenario") &&
                   k + 1 < argc) {
            v = argv[++k];
        }
        if (a == "--seed") seed = number(v.c_str());
        else if (a == "--seeds") seeds = number(v.c_str());
        else if (a == "--nodes") nodes = static_cast<int>(number(v.c_str()).value_or(0));
        else if (a == "--profile") profile = v;
        else if (a == "--scenario") scenario = v;
        else if (a == "--rewrite") rewrite = true;
        else if (a == "--keep-going") keep_going = true;
        else if (a == "--trace") trace = true;
        else if (a == "--trace-all") trace = trace_all = true;
        else return usage();
    }
    if (!scenario.empty()) return run_scenario_file(scenario, rewrite, trace, trace_all);
    if (nodes && (*nodes < 1 || *nodes > 7)) return usage();
    if (!seed && !seeds) return usage();

    try {
        const std::uint64_t count = seeds ? *seeds : 1;
        // --seeds K draws a random base (printed), --seed N runs exactly N.
        const std::uint64_t base = seed ? *seed : std::random_device{}();
        for (std::uint64_t i = 0; i < count; ++i) {
            const std::uint64_t s = seed && !seeds ? *seed : base + i;
            auto p = fault_profile::draw(s, profile, nodes);
            if (!p) return usage();
            p->world.trace = trace;
            p->world.trace_all = trace_all;
            std::cout << "seed=" << s << " " << p->describe() << std::endl;
            const auto r = run_seed(s, *p);
            if (r.code == verdict::pass) continue;
            std::cout << (r.code == verdict::liveness ? "LIVENESS" : "CORRECTNESS") << " failure\n" << r.detail;
            if (trace) std::cout << "--- trace ---\n" << r.trace;
            std::cout << "replay: pgwarden-sim --seed=" << s << " --profile=" << profile;
            if (nodes) std::cout << " --nodes=" << *nodes;
            std::cout << " --trace\n";
            if (!keep_going) return static_cast<int>(r.code);
            ++failures;
        }
        if (failures > 0) {
            std::cout << "failed " << failures << " of " << count << " seed(s)\n";
            return 129;
        }
        std::cout << "passed " << count << " seed(s)\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "pgwarden-sim: " << e.what() << "\n";
        return 127;
    }
}
