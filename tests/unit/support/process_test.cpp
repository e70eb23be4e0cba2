// Goal: the integration-test process helpers do what the tests rely on.
// Method: run real short commands, including one as the postgres user, and
// check exit codes, output capture, stop-by-signal and free-port behaviour.
#include "support/process.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <sys/wait.h>

using namespace pgwarden::test;

BOOST_AUTO_TEST_SUITE(support_process)

BOOST_AUTO_TEST_CASE(run_captures_output_and_exit_code)
{
    std::string out;
    BOOST_TEST(run({"sh", "-c", "echo hello; exit 3"}, &out) == 3);
    BOOST_TEST(out == "hello\n");
}

BOOST_AUTO_TEST_CASE(run_as_other_user)
{
    if (!lookup_user("postgres")) return;   // the setup script creates it
    std::string out;
    spawn_options opts;
    opts.run_as = "postgres";
    BOOST_TEST(run({"id", "-un"}, &out, opts) == 0);
    BOOST_TEST(out == "postgres\n");
}

BOOST_AUTO_TEST_CASE(stop_terminates_child)
{
    child c = spawn({"sleep", "60"});
    BOOST_TEST(c.running());
    int st = c.stop(SIGTERM);
    BOOST_TEST(WIFSIGNALED(st));
    BOOST_TEST(WTERMSIG(st) == SIGTERM);
    BOOST_TEST(!c.running());
}

BOOST_AUTO_TEST_CASE(free_port_is_closed)
{
    auto p = free_port();
    BOOST_TEST(p > 0);
    BOOST_TEST(!port_open(p));
}

BOOST_AUTO_TEST_SUITE_END()
