// Goal: every scenario in tests/sim/scenarios/*.txt still produces its
// recorded output (etcd/raft datadriven style).
// Method: run each file through run_scenario(); a mismatch prints the
// command, the expected and the actual output. Regenerate expectations with
// `pgwarden-sim --scenario FILE --rewrite` and review the diff.
#include "scenario.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

BOOST_AUTO_TEST_SUITE(sim_scenarios)

BOOST_AUTO_TEST_CASE(parser_reports_errors_and_rewrites)
{
    const auto out = pgwarden::sim::run_scenario("# a comment\nbogus\n----\nwrong\n\nadd-nodes 2\n----\nnodes=2 backend=etcd3\n");
    BOOST_REQUIRE(out.mismatches.size() == 1u);
    BOOST_TEST(out.mismatches[0].find("error: add-nodes first") != std::string::npos);
    BOOST_TEST(out.rewritten == "# a comment\nbogus\n----\nerror: add-nodes first\n\nadd-nodes 2\n----\nnodes=2 backend=etcd3\n");
}

BOOST_AUTO_TEST_CASE(all_scenarios_replay)
{
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(PGWARDEN_SIM_SCENARIO_DIR))
        if (e.path().extension() == ".txt") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    BOOST_TEST(files.size() >= 5u);
    for (const auto& f : files) {
        std::ifstream in(f);
        std::stringstream ss;
        ss << in.rdbuf();
        const auto out = pgwarden::sim::run_scenario(ss.str());
        for (const auto& m : out.mismatches) BOOST_ERROR(f.filename().string() << ": " << m);
    }
}

BOOST_AUTO_TEST_SUITE_END()
