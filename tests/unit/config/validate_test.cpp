// Goal: `--validate-config` reports every mistake with its YAML path, value and
// reason in Patroni's line format (config.md §11), without Patroni's known false
// rejections, plus the extra checks of bootstrap.dcs and PostgreSQL parameters.
// Method: validate YAML documents against a fake host (ports, reachability,
// executables, postgres version) so the outcome is deterministic; host-side
// data_dir checks use a temporary directory.
#include <pgwarden/config/document.hpp>
#include <pgwarden/config/validate.hpp>

#include "support/process.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace pgwarden::config;

namespace {

validation_host fake_host()
{
    validation_host h;
    h.port_in_use = [](const std::string&, int port) { return port == 9999; };
    h.connect_error = [](const std::string& host, int) -> std::optional<std::string> {
        if (host == "down.example")
            return std::string("refused");
        return std::nullopt;
    };
    h.has_executable = [](const std::string& dir, const std::string& name) {
        return dir != "/tmp" && name != "missing_tool";
    };
    h.postgres_major_version = [](const std::string&) { return std::optional<std::string>("15"); };
    h.known_parameters = [](const std::string&) {
        return std::optional<std::set<std::string>>({"max_connections", "shared_buffers", "wal_level", "work_mem",
                                                     "unix_socket_directories", "hot_standby", "wal_log_hints"});
    };
    return h;
}

std::vector<problem> check(const std::string& yaml, bool ignore_ports = false, validation_host host = fake_host())
{
    auto doc = parse_yaml(yaml, "t");
    BOOST_TEST_REQUIRE(doc.has_value());
    validate_options opt{ignore_ports, std::move(host)};
    return validate(doc->as_object(), opt);
}

std::string lines(const std::vector<problem>& ps)
{
    std::string out;
    for (const auto& p : ps)
        out += p.line() + "\n";
    return out;
}

bool has(const std::vector<problem>& ps, const std::string& path, const std::string& fragment = {})
{
    for (const auto& p : ps)
        if (p.path == path && p.line().find(fragment) != std::string::npos)
            return true;
    return false;
}

const std::string good = R"(
scope: batman
name: pg1
restapi:
  listen: 0.0.0.0:8008
  connect_address: 10.0.0.1:8008
  authentication: {username: u, password: p}
etcd3:
  hosts: [10.0.0.5:2379, 10.0.0.6:2379]
bootstrap:
  dcs:
    ttl: 30
    loop_wait: 10
    retry_timeout: 10
    synchronous_mode: quorum
    postgresql:
      parameters: {max_connections: 200, wal_level: logical, shared_buffers: 1GB}
  initdb: [{encoding: UTF8}, data-checksums]
postgresql:
  listen: 0.0.0.0:5432
  connect_address: 10.0.0.1:5432
  data_dir: /nonexistent/pgwarden/data
  authentication:
    superuser: {username: postgres, password: x}
    replication: {username: rep, password: y}
  parameters: {unix_socket_directories: /tmp, work_mem: 8MB}
thread_stack_size: 524288
watchdog: {mode: automatic, safety_margin: 5}
tags: {failover_priority: 2, nosync: false}
)";

} // namespace

BOOST_AUTO_TEST_SUITE(config_validate)

BOOST_AUTO_TEST_CASE(valid_config_has_no_problems)
{
    // Includes Patroni's known false rejections: thread_stack_size 524288, synchronous_mode: quorum.
    auto ps = check(good);
    BOOST_TEST(ps.empty(), lines(ps));
}

BOOST_AUTO_TEST_CASE(minimal_example_only_trips_the_loopback_rule)
{
    std::ifstream in(std::string(PGWARDEN_FIXTURES_DIR) + "/config/minimal.yml");
    std::stringstream ss;
    ss << in.rdbuf();
    auto ps = check(ss.str());
    BOOST_TEST_REQUIRE(ps.size() == 2u, lines(ps));
    BOOST_TEST(ps[0].line() == "restapi.connect_address 127.0.0.1:8008 didn't pass validation: must not contain "
                               "\"127.0.0.1\", \"0.0.0.0\", \"*\", \"::1\", \"localhost\"");
    BOOST_TEST(ps[1].path == "postgresql.connect_address");
}

BOOST_AUTO_TEST_CASE(missing_required_keys_use_patroni_lines)
{
    auto ps = check("postgresql: {}\n");
    BOOST_TEST(has(ps, "name"));
    BOOST_TEST(ps.at(0).line() == "name  is not defined.");
    BOOST_TEST(has(ps, "scope", "is not defined."));
    BOOST_TEST(has(ps, "restapi", "is not defined."));
    for (auto dcs : {"consul", "etcd", "etcd3", "exhibitor", "kubernetes", "raft", "zookeeper"})
        BOOST_TEST(has(ps, dcs, "  is not defined."), dcs);
    BOOST_TEST(has(ps, "postgresql.listen", "is not defined."));
    BOOST_TEST(has(ps, "postgresql.authentication", "is not defined."));
}

BOOST_AUTO_TEST_CASE(twenty_distinct_mistakes_are_all_reported_with_their_path)
{
    const std::string yaml = R"(
scope: 5
name: pg1
thread_pool_size: 2
log: {level: TRACE, mode: 1000, format: []}
restapi:
  listen: 0.0.0.0:9999
  connect_address: localhost:8008
  verify_client: maybe
  request_queue_size: 5000
etcd3:
  hosts: [down.example:2379]
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 0
    retry_timeout: '7'
    maximum_lag_on_failover: -5
    synchronous_mode: sometimes
    synchronous_node_count: 0
    postgresql:
      use_slots: yes please
      parameters:
        max_connections: 0
        shared_buffers: 12XB
        wal_level: fancy
        no_such_guc: 1
  initdb: [pgdata: /x]
postgresql:
  listen: 0.0.0.0:5432
  connect_address: 10.0.0.1:5432
  data_dir: ''
  bin_dir: /tmp
  authentication:
    superuser: {username: postgres}
    replication: {password: x}
  pg_hba: host all all all md5
  pg_ctl_timeout: -1
watchdog: {mode: sometimes}
tags: {nofailover: true, failover_priority: 1}
)";
    auto ps = check(yaml);
    struct expect { std::string path, fragment; };
    const std::vector<expect> expected = {
        {"scope", "scope 5 is not a string"},
        {"thread_pool_size", "Wrong value"},
        {"log.level", "log.level TRACE didn't pass validation: Wrong value"},
        {"log.mode", "Wrong value"},
        {"log.format", "should contain at least one item"},
        {"restapi.listen", "Port 9999 is already in use."},
        {"restapi.connect_address", "must not contain"},
        {"restapi.verify_client", "restapi.verify_client maybe didn't pass validation: Wrong value"},
        {"restapi.request_queue_size", "Wrong value"},
        {"etcd3.hosts", "down.example:2379 is not reachable"},
        {"bootstrap.dcs.ttl", "bootstrap.dcs.ttl 10 didn't pass validation: Wrong value"},
        {"bootstrap.dcs.loop_wait", "Wrong value"},
        {"bootstrap.dcs.maximum_lag_on_failover", "Wrong value"},
        {"bootstrap.dcs.synchronous_mode", "invalid value for synchronous_mode"},
        {"bootstrap.dcs.synchronous_node_count", "Wrong value"},
        {"bootstrap.dcs.postgresql.use_slots", "is not a boolean"},
        {"bootstrap.dcs.postgresql.parameters.max_connections", "outside the valid range"},
        {"bootstrap.dcs.postgresql.parameters.shared_buffers", "valid units for this parameter"},
        {"bootstrap.dcs.postgresql.parameters.wal_level", "invalid value for parameter \"wal_level\""},
        {"bootstrap.dcs.postgresql.parameters.no_such_guc", "unrecognized configuration parameter"},
        {"bootstrap.initdb.0", "option 'pgdata' is not allowed"},
        {"postgresql.data_dir", "postgresql.data_dir  didn't pass validation: is an empty string"},
        {"postgresql.bin_dir", "does not contain 'pg_ctl' in '/tmp'"},
        {"postgresql.authentication.replication.username", "is not defined."},
        {"postgresql.pg_hba", "postgresql.pg_hba host all all all md5 is not a list"},
        {"postgresql.pg_ctl_timeout", "Wrong value"},
        {"watchdog.mode", "watchdog.mode sometimes didn't pass validation: Wrong value"},
        {"tags", "tags  Multiple of ('nofailover', 'failover_priority') provided"},
    };
    BOOST_TEST(expected.size() >= 20u);
    for (const auto& e : expected)
        BOOST_TEST(has(ps, e.path, e.fragment), e.path << " / " << e.fragment << "\n" << lines(ps));
    // retry_timeout '7' is a numeric string: accepted for bootstrap.dcs integers.
    BOOST_TEST(!has(ps, "bootstrap.dcs.retry_timeout"));
}

BOOST_AUTO_TEST_CASE(ignore_listen_port_skips_port_checks)
{
    std::string yaml = good;
    yaml.replace(yaml.find("0.0.0.0:8008"), 12, "0.0.0.0:9999");
    BOOST_TEST(has(check(yaml), "restapi.listen", "Port 9999 is already in use."));
    BOOST_TEST(check(yaml, true).empty());
}

BOOST_AUTO_TEST_CASE(timeout_rule_is_reported)
{
    std::string yaml = good;
    yaml.replace(yaml.find("loop_wait: 10"), 13, "loop_wait: 15");
    auto ps = check(yaml);
    BOOST_TEST_REQUIRE(ps.size() == 1u, lines(ps));
    BOOST_TEST(ps[0].line() == "bootstrap.dcs.loop_wait 15 didn't pass validation: loop_wait + 2*retry_timeout "
                               "must not exceed ttl (15 + 2*10 > 30)");
}

BOOST_AUTO_TEST_CASE(data_dir_checks_on_the_host)
{
    pgwarden::test::temp_dir dir("pgwarden-validate");
    auto with_dir = [&](const std::string& d) {
        std::string yaml = good;
        yaml.replace(yaml.find("/nonexistent/pgwarden/data"), 26, d);
        return check(yaml);
    };
    BOOST_TEST(with_dir(dir.path()).empty());   // an empty directory is fine
    std::ofstream(dir / "file") << "x";
    BOOST_TEST(has(with_dir(dir / "file"), "postgresql.data_dir", "is not a directory"));
    BOOST_TEST(has(with_dir(dir.path()), "postgresql.data_dir", "doesn't look like a valid data directory"));
    std::ofstream(dir / "PG_VERSION") << "14\n";
    auto ps = with_dir(dir.path());
    BOOST_TEST(has(ps, "postgresql.data_dir", "doesn't contain \"pg_wal\" directory"));
    BOOST_TEST(has(ps, "postgresql.data_dir",
                   "data_dir directory postgresql version (14) doesn't match with 'postgres --version' output (15)"));
    std::filesystem::create_directory(dir / "pg_wal");
    std::ofstream(dir / "PG_VERSION") << "15\n";
    BOOST_TEST(with_dir(dir.path()).empty());
}

BOOST_AUTO_TEST_CASE(bin_dir_and_bin_name)
{
    std::string yaml = good;
    yaml.insert(yaml.find("  parameters: {unix"), "  bin_dir: /nonexistent/bin\n");
    BOOST_TEST(has(check(yaml), "postgresql.bin_dir", "Directory '/nonexistent/bin' does not exist."));
    yaml = good;
    yaml.insert(yaml.find("  parameters: {unix"), "  bin_name: {pg_ctl: missing_tool}\n");
    BOOST_TEST(has(check(yaml), "postgresql.bin_name.pg_ctl", "does not contain 'missing_tool' in '$PATH'"));
}

BOOST_AUTO_TEST_CASE(system_host_checks_real_sockets_and_files)
{
    auto h = system_validation_host();
    auto port = pgwarden::test::free_port();
    BOOST_TEST(!h.port_in_use("127.0.0.1", port));
    BOOST_TEST(h.connect_error("127.0.0.1", port).has_value());
    BOOST_TEST(h.has_executable("", "sh"));
    BOOST_TEST(!h.has_executable("/nonexistent", "sh"));
    auto v = h.postgres_major_version("/usr/lib/postgresql/15/bin/postgres");
    BOOST_TEST_REQUIRE(v.has_value());
    BOOST_TEST(*v == "15");
    auto known = h.known_parameters("/usr/lib/postgresql/15/bin/postgres");
    BOOST_TEST_REQUIRE(known.has_value());
    BOOST_TEST(known->count("shared_buffers") == 1u);
    BOOST_TEST(known->count("no_such_guc") == 0u);
    BOOST_TEST(known->count("logging_collector") == 1u);   // used by Debian's template
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_validate_samples)

// Patroni's shipped samples only trip the loopback rule (they listen on 127.0.0.1);
// Debian's filled-in template is valid as it is.
BOOST_AUTO_TEST_CASE(shipped_samples_have_no_false_rejections)
{
    for (auto name : {"patroni-postgres0.yml", "patroni-postgres1.yml", "patroni-postgres2.yml", "debian-config.yml"}) {
        std::ifstream in(std::string(PGWARDEN_FIXTURES_DIR) + "/config/" + name);
        std::stringstream ss;
        ss << in.rdbuf();
        auto host = fake_host();
        host.known_parameters = nullptr;   // the fake's GUC list is too short for these files
        auto ps = check(ss.str(), false, host);
        std::size_t expected = std::string_view(name).starts_with("patroni-") ? 2u : 0u;
        BOOST_TEST(ps.size() == expected, name << "\n" << lines(ps));
        for (const auto& p : ps)
            BOOST_TEST(p.path.ends_with("connect_address"), p.line());
    }
}

BOOST_AUTO_TEST_SUITE_END()
