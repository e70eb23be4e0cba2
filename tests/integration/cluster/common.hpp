// Shared helpers of the integration_cluster tests: skip when the tools are
// missing, build a cluster with the daemon under test, and fail with every
// member's /patroni and log tail when a wait times out.
#pragma once
#include "support/cluster.hpp"
#include "support/postgres.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#ifndef PGWARDEN_ETCD3_BIN
#define PGWARDEN_ETCD3_BIN ""
#endif

namespace pgwarden::test::cluster_tests {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

/// The figures the tests measure, printed for the report.
inline void report_figure(const std::string& what, steady::duration d)
{
    const double s = std::chrono::duration<double>(d).count();
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", s);
    BOOST_TEST_MESSAGE("FIGURE " << what << ": " << text << " s");
}

/// True when etcd, PostgreSQL 15, the daemon and (if asked) Python Patroni are present.
inline bool tools_present(bool need_patroni = false)
{
    if (::geteuid() != 0) return false;   // the fixture chowns and setuids to postgres
    if (!etcd_available()) return false;
    if (::access((pg_bin_dir() + "/postgres").c_str(), X_OK) != 0) return false;
    if (need_patroni && ::access("/usr/bin/patroni", X_OK) != 0) return false;
    const char* env = std::getenv("PGWARDEN_ETCD3_BIN");
    const std::string bin = env && *env ? env : PGWARDEN_ETCD3_BIN;
    return !bin.empty() && ::access(bin.c_str(), X_OK) == 0;
}

/** Fails (never skips) when a tool is missing: scripts/setup installs them
 *  all, so a missing one is a broken set-up, not a reason to pass. */
inline void require_tools(bool need_patroni = false)
{
    BOOST_TEST_REQUIRE(tools_present(need_patroni),
                       "needs root, etcd, PostgreSQL 15, the daemon" << (need_patroni ? " and /usr/bin/patroni" : "")
                                                                      << ": run scripts/setup");
}

inline cluster_options defaults()
{
    cluster_options o;
    o.daemon_bin = PGWARDEN_ETCD3_BIN;
    return o;
}

/** Fails the test case (require) or records an error (check) with the whole
 *  picture. Boost.Test evaluates a message's operands even when the
 *  assertion passes, and describe() polls every member, so it is only
 *  called on failure. */
inline void require(bool ok, const cluster& c, const std::string& what)
{
    if (!ok) BOOST_FAIL(what << "\n" << c.describe());
    BOOST_TEST(ok);
}
inline void check(bool ok, const cluster& c, const std::string& what)
{
    if (!ok) BOOST_ERROR(what << "\n" << c.describe());
    else BOOST_TEST(ok);
}

/// Waits for one leader streaming to `replicas` (all others when empty); fails the test with the whole picture.
inline std::string require_healthy(cluster& c, std::chrono::milliseconds timeout,
                                   const std::vector<std::string>& replicas = {})
{
    const std::string leader = c.wait_healthy(timeout, replicas);
    require(!leader.empty(), c,
            "no healthy cluster within " + std::to_string(timeout.count()) + " ms (or a daemon exited first)");
    return leader;
}

/// The other members than `leader`.
inline std::vector<std::string> others(const cluster& c, const std::string& leader)
{
    std::vector<std::string> out;
    for (const auto& n : c.names())
        if (n != leader) out.push_back(n);
    return out;
}

} // namespace pgwarden::test::cluster_tests
