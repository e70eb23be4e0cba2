// Goal: failures give a clear error and destroy nothing: initdb failing,
// forbidden options, a non-empty data directory, pg_basebackup from a dead
// primary, pg_rewind impossible, refused for want of a usable source
// (unreachable, or its Patroni has not checkpointed after promotion), or
// failing (unrelated cluster). Also: legacy (3.0.2) role names in callbacks.
// Method: real PostgreSQL 15 tools in a temp dir; after each failure the
// test checks the error condition and that existing data is still there.
#include "harness.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>

using namespace pgwarden;
using namespace pgwarden::test;

BOOST_AUTO_TEST_SUITE(pg_failures)

BOOST_AUTO_TEST_CASE(bootstrap_failures)
{
    temp_dir root("pgw-fail", pg_os_user);
    boost::asio::io_context io;

    auto bad_opt = test_config(root, "a", free_port());
    bad_opt.bootstrap.initdb = {{"pgdata", "/x"}};
    pg::libpq_controller a(io.get_executor(), bad_opt);
    auto r = sync_run(io, a.bootstrap());
    BOOST_REQUIRE(!r);
    BOOST_TEST((r.error() == condition::invalid_argument));

    auto bad_locale = test_config(root, "b", free_port());
    bad_locale.bootstrap.initdb = {{"locale", "xx_NOT_A_LOCALE.UTF-99"}};
    pg::libpq_controller b(io.get_executor(), bad_locale);
    auto rb = sync_run(io, b.bootstrap());
    BOOST_REQUIRE(!rb);
    BOOST_TEST((rb.error() == pg::error::command_failed));
    BOOST_TEST(!b.last_error().empty());

    auto busy = test_config(root, "c", free_port());
    std::filesystem::create_directories(busy.data_dir);
    write_file(busy.data_dir + "/precious", "data");
    pg::libpq_controller c(io.get_executor(), busy);
    auto rc = sync_run(io, c.bootstrap());
    BOOST_REQUIRE(!rc);
    BOOST_TEST((rc.error() == pg::error::data_dir_not_empty));
    BOOST_TEST(read_file(busy.data_dir + "/precious") == "data");
    auto rr = sync_run(io, c.create_replica(std::nullopt));
    BOOST_TEST((rr.error() == pg::error::data_dir_not_empty));
    BOOST_TEST(read_file(busy.data_dir + "/precious") == "data");
    BOOST_TEST(!sync_run(io, c.start(pg::start_role::primary)));   // not a data directory
}

BOOST_AUTO_TEST_CASE(basebackup_from_dead_primary_and_rewind_failures)
{
    temp_dir root("pgw-fail2", pg_os_user);
    boost::asio::io_context io;
    const auto dead_port = free_port();
    pg::follow_target dead;
    dead.member = "ghost";
    dead.conn_url = conn_url(dead_port);

    auto rcfg = test_config(root, "r", free_port());
    pg::libpq_controller r(io.get_executor(), rcfg);
    auto bb = sync_run(io, r.create_replica(dead));
    BOOST_REQUIRE(!bb);
    BOOST_TEST((bb.error() == pg::error::command_failed));
    BOOST_TEST(r.last_error().find("pg_basebackup") != std::string::npos);

    auto pcfg = test_config(root, "p", free_port());
    const std::string cb_log = root / "callbacks.log";
    pcfg.callbacks.on_stop = "/bin/sh -c 'echo \"$@\" >> " + cb_log + "' cb";
    pcfg.legacy_role_names = true;   // a 3.0.2-compatible cluster: "master"
    pg::libpq_controller p(io.get_executor(), pcfg);
    BOOST_REQUIRE(sync_run(io, p.bootstrap()));
    BOOST_REQUIRE(sync_run(io, p.stop(pg::stop_mode::fast)));
    sync_run(io, p.wait_callbacks(std::chrono::seconds(10)));
    BOOST_TEST(read_file(cb_log) == "on_stop master itest\n");

    // use_pg_rewind is off: refused, data intact.
    auto nr = sync_run(io, p.rewind(dead));
    BOOST_REQUIRE(!nr);
    BOOST_TEST((nr.error() == pg::error::rewind_not_possible));
    BOOST_TEST(std::filesystem::exists(pcfg.data_dir + "/PG_VERSION"));

    // A dead source is not usable for pg_rewind (Patroni: "not accessible
    // or not healthy"): nothing runs, the data stays, retry later.
    pcfg.use_pg_rewind = true;
    pcfg.remove_data_directory_on_rewind_failure = true;
    pg::libpq_controller p2(io.get_executor(), pcfg);
    auto fr = sync_run(io, p2.rewind(dead));
    BOOST_REQUIRE(!fr);
    BOOST_TEST((fr.error() == pg::error::source_not_ready));
    BOOST_TEST((fr.error() == condition::unavailable));
    BOOST_TEST(std::filesystem::exists(pcfg.data_dir + "/PG_VERSION"));

    // The leader's member key says checkpoint_after_promote: false: wait.
    auto qcfg = test_config(root, "q", free_port());
    pg::libpq_controller q(io.get_executor(), qcfg);
    BOOST_REQUIRE(sync_run(io, q.bootstrap()));
    pg::follow_target from_q;
    from_q.member = "q";
    from_q.conn_url = conn_url(static_cast<unsigned short>(std::stoi(qcfg.listen.substr(10))));
    from_q.checkpoint_after_promote = false;
    auto wait = sync_run(io, p2.rewind(from_q));
    BOOST_REQUIRE(!wait);
    BOOST_TEST((wait.error() == pg::error::source_not_ready));
    BOOST_TEST(p2.last_error().find("Waiting for checkpoint") != std::string::npos);

    // pg_rewind itself fails against an unrelated cluster: with
    // remove_data_directory_on_rewind_failure the data directory is emptied.
    from_q.checkpoint_after_promote.reset();
    auto unrelated = sync_run(io, p2.rewind(from_q));
    BOOST_REQUIRE(!unrelated);
    BOOST_TEST((unrelated.error() == pg::error::command_failed));
    BOOST_TEST(p2.last_error().find("different systems") != std::string::npos);
    BOOST_TEST(!std::filesystem::exists(pcfg.data_dir + "/PG_VERSION"));
    (void)sync_run(io, q.stop(pg::stop_mode::immediate));
}

BOOST_AUTO_TEST_CASE(rewind_keeps_data_when_not_configured_to_remove)
{
    temp_dir root("pgw-fail3", pg_os_user);
    boost::asio::io_context io;
    auto pcfg = test_config(root, "p", free_port());
    pcfg.use_pg_rewind = true;
    pg::libpq_controller p2(io.get_executor(), pcfg);
    BOOST_REQUIRE(sync_run(io, p2.bootstrap()));
    auto qcfg = test_config(root, "q", free_port());
    pg::libpq_controller q(io.get_executor(), qcfg);
    BOOST_REQUIRE(sync_run(io, q.bootstrap()));
    pg::follow_target from_q;
    from_q.member = "q";
    from_q.conn_url = conn_url(static_cast<unsigned short>(std::stoi(qcfg.listen.substr(10))));
    auto fr = sync_run(io, p2.rewind(from_q));
    BOOST_REQUIRE(!fr);
    BOOST_TEST((fr.error() == pg::error::command_failed));
    BOOST_TEST(std::filesystem::exists(pcfg.data_dir + "/PG_VERSION"));
    (void)sync_run(io, q.stop(pg::stop_mode::immediate));
    BOOST_TEST(sync_run(io, p2.start(pg::start_role::primary)));
    BOOST_TEST(psql(static_cast<unsigned short>(std::stoi(pcfg.listen.substr(10))), "SELECT 1").value_or("") == "1");
    (void)sync_run(io, p2.stop(pg::stop_mode::immediate));
}

BOOST_AUTO_TEST_SUITE_END()
