// Goal: `pgwarden-etcd3 --generate-config --dsn DSN [file]` writes a Patroni
// configuration for a running PostgreSQL 15 (config.md §12): its data
// directory, listen address, bin_dir, the superuser it connected as, the GUCs
// set in its configuration or on its command line, its default pg_hba.conf
// lines; and it fails with Patroni's messages for a bad DSN, an unreachable
// server and a user that is not a superuser.
// Method: a standalone server (tests/support/postgres.hpp, trust auth, run as
// postgres) and the real daemon binary; the YAML is read back with yaml-cpp.
#include "support/postgres.hpp"
#include "support/process.hpp"

#include <boost/test/unit_test.hpp>
#include <yaml-cpp/yaml.h>

using namespace pgwarden::test;

BOOST_AUTO_TEST_SUITE(daemon_generate_config)

BOOST_AUTO_TEST_CASE(config_of_a_running_instance)
{
    BOOST_REQUIRE_MESSAGE(lookup_user(pg_os_user).has_value(), "the postgres OS user is missing (scripts/setup)");
    const std::string bin = PGWARDEN_ETCD3_BIN;
    temp_dir root("pgw-generate", pg_os_user);
    const std::string data = root.path() + "/data";
    pg_server pg(data, free_port());
    std::string out;
    BOOST_REQUIRE_MESSAGE(pg.initdb(&out), out);
    BOOST_REQUIRE(pg.start());
    const std::string dsn = "host=127.0.0.1 port=" + std::to_string(pg.port()) + " user=postgres password=secret";

    const std::string file = root.path() + "/out/patroni.yml";
    const int rc = run({bin, "--generate-config", "--dsn", dsn, file}, &out);
    BOOST_REQUIRE_MESSAGE(rc == 0, "exit " << rc << ": " << out);
    const YAML::Node cfg = YAML::LoadFile(file);
    const auto pgc = cfg["postgresql"];
    BOOST_TEST(pgc["data_dir"].as<std::string>() == data);
    BOOST_TEST(pgc["listen"].as<std::string>() == "127.0.0.1:" + std::to_string(pg.port()));
    BOOST_TEST(pgc["connect_address"].as<std::string>().ends_with(":" + std::to_string(pg.port())));
    BOOST_TEST(pgc["bin_dir"].as<std::string>() == pg_bin_dir());
    BOOST_TEST(pgc["authentication"]["superuser"]["username"].as<std::string>() == "postgres");
    BOOST_TEST(pgc["authentication"]["superuser"]["password"].as<std::string>() == "secret");
    BOOST_TEST(pgc["authentication"]["replication"]["username"].as<std::string>() == "#FIXME");
    BOOST_TEST(pgc["parameters"]["hba_file"].as<std::string>() == data + "/pg_hba.conf");
    BOOST_REQUIRE(pgc["pg_hba"].IsSequence());
    bool trust_line = false;
    for (const auto& l : pgc["pg_hba"]) trust_line = trust_line || l.as<std::string>().starts_with("host");
    BOOST_TEST(trust_line);
    const auto params = cfg["bootstrap"]["dcs"]["postgresql"]["parameters"];
    BOOST_TEST(params["shared_buffers"].as<std::string>() == "16MB");   // set on the command line
    BOOST_TEST(params["max_connections"].IsDefined());                // a forced GUC, always read
    BOOST_TEST(!params["port"].IsDefined());                          // went into `listen`

    // Without a file: the same YAML on stdout.
    BOOST_REQUIRE(run({bin, "--generate-config", "--dsn=" + dsn}, &out) == 0);
    BOOST_TEST(out.find("data_dir: " + data) != std::string::npos, out);

    // Patroni's failures.
    BOOST_TEST(run({bin, "--generate-config", "--dsn", "host=127.0.0.1 port='unterminated"}, &out) == 1);
    BOOST_TEST(out.find("Failed to parse DSN string") != std::string::npos, out);
    BOOST_TEST(run({bin, "--generate-config", "--dsn", "host=127.0.0.1 port=1 password=x connect_timeout=2"}, &out) == 1);
    BOOST_TEST(out.find("Failed to establish PostgreSQL connection: ") != std::string::npos, out);
    BOOST_REQUIRE(psql(pg.port(), "CREATE ROLE plain LOGIN").has_value());
    BOOST_TEST(run({bin, "--generate-config", "--dsn", "host=127.0.0.1 port=" + std::to_string(pg.port()) +
                                                           " user=plain password=x dbname=postgres"},
                   &out) == 1);
    BOOST_TEST(out.find("The provided user does not have superuser privilege") != std::string::npos, out);
}

BOOST_AUTO_TEST_SUITE_END()
