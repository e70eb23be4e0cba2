// Goal: the daemon command line parses like Patroni's argparse (config.md §1)
// and the config commands behave as documented: --version text, usage errors
// exit 2, --validate-config prints Patroni's lines and exits 1, -p prints the
// merged YAML, --generate-sample-config writes Patroni's sample (§12), and
// anything else tells the daemon to continue.
// Method: call parse_cli/run_config_commands with string streams, a fake
// validation host and temporary files; sample_config runs with fixed inputs.
#include "common/cli.hpp"

#include <pgwarden/config/document.hpp>
#include <pgwarden/config/load.hpp>
#include <pgwarden/config/sample.hpp>

#include "support/process.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

using namespace pgwarden;
using namespace pgwarden::apps;

namespace {

config::validation_host quiet_host()
{
    config::validation_host h;   // no side-effect checks
    return h;
}

struct run_result {
    int code;
    std::string out, err;
};

run_result run(const std::vector<std::string>& args, const config::environment& env = {})
{
    std::ostringstream out, err;
    int code = run_config_commands(parse_cli(args), out, err, env, quiet_host());
    return {code, out.str(), err.str()};
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_cli)

BOOST_AUTO_TEST_CASE(parses_flags_and_configfile)
{
    auto o = parse_cli({"--validate-config", "-ip", "/etc/p.yml"});
    BOOST_TEST(o.usage_error.empty());
    BOOST_TEST(o.validate_config);
    BOOST_TEST(o.ignore_listen_port);
    BOOST_TEST(o.print);
    BOOST_TEST(o.config_file->string() == "/etc/p.yml");
    auto d = parse_cli({"--generate-config", "--dsn=host=x", "out.yml"});
    BOOST_TEST(*d.dsn == "host=x");
    BOOST_TEST(parse_cli({"--generate-config", "--dsn", "host=y"}).dsn.value_or("") == "host=y");
    const char* argv[] = {"/usr/bin/pgwarden-etcd3", "p.yml"};
    auto a = parse_cli(2, argv);
    BOOST_TEST(a.prog == "pgwarden-etcd3");
    BOOST_TEST(a.config_file->string() == "p.yml");
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2)
{
    auto r = run({"--validate-config", "--generate-sample-config"});
    BOOST_TEST(r.code == 2);
    BOOST_TEST(r.err.find("argument --generate-sample-config: not allowed with argument --validate-config") !=
               std::string::npos);
    BOOST_TEST(r.err.find("usage: pgwarden") == 0u);
    BOOST_TEST(run({"a.yml", "b.yml"}).err.find("unrecognized arguments: b.yml") != std::string::npos);
    BOOST_TEST(run({"--bogus"}).code == 2);
    BOOST_TEST(run({"--dsn"}).code == 2);
}

BOOST_AUTO_TEST_CASE(version_and_help)
{
    auto v = run({"--version"});
    BOOST_TEST(v.code == 0);
    BOOST_TEST(v.out == std::string("pgwarden ") + PGWARDEN_VERSION + " (Patroni " + PGWARDEN_PATRONI_VERSION +
                            " compatible)\n");
    auto h = run({"-h"});
    BOOST_TEST(h.code == 0);
    BOOST_TEST(h.out.find("--validate-config") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(daemon_continues_without_a_command)
{
    BOOST_TEST(run({"/etc/p.yml"}).code == cli_continue);
    BOOST_TEST(run({}).code == cli_continue);
    // handle_cli: the one-call form the daemon main uses.
    const char* argv[] = {"pgwarden-etcd3", "/etc/p.yml"};
    cli_options opts;
    std::ostringstream out, err;
    BOOST_TEST(handle_cli(2, const_cast<char**>(argv), "pgwarden-etcd3", {}, out, err, opts) == cli_continue);
    BOOST_TEST(opts.config_file->string() == "/etc/p.yml");
    const char* bad[] = {"pgwarden-etcd3", "--nope"};
    BOOST_TEST(handle_cli(2, const_cast<char**>(bad), "pgwarden-etcd3", {}, out, err, opts) == 2);
    BOOST_TEST(err.str().find("pgwarden-etcd3: error: unrecognized arguments: --nope") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(validate_config_command)
{
    test::temp_dir dir("pgwarden-cli");
    std::ofstream(dir / "bad.yml") << "name: 5\n";
    auto bad = run({"--validate-config", dir / "bad.yml"});
    BOOST_TEST(bad.code == 1);
    BOOST_TEST(bad.err.find("name 5 is not a string\n") != std::string::npos);
    BOOST_TEST(bad.err.find("scope  is not defined.\n") != std::string::npos);

    std::ofstream(dir / "good.yml") << R"(scope: s
name: n
restapi: {listen: '0.0.0.0:8008', connect_address: '10.0.0.1:8008'}
etcd3: {host: '10.0.0.2:2379'}
postgresql:
  listen: 0.0.0.0:5432
  connect_address: 10.0.0.1:5432
  data_dir: /nonexistent/pgwarden
  authentication: {superuser: {username: postgres}, replication: {username: rep}}
)";
    auto ok = run({"--validate-config", dir / "good.yml"});
    BOOST_TEST(ok.code == 0, ok.err);
    BOOST_TEST(ok.out.empty());
    // -p prints the merged configuration, env overlay included.
    auto printed = run({"--validate-config", "-p", dir / "good.yml"}, {{"PATRONI_NAME", "from-env"}});
    BOOST_TEST(printed.code == 0);
    BOOST_TEST(printed.out.find("name: from-env\n") != std::string::npos);
    BOOST_TEST(printed.out.find("etcd3:\n  host: 10.0.0.2:2379\n") != std::string::npos);

    std::ofstream(dir / "broken.yml") << "a: [\n";
    auto broken = run({"--validate-config", dir / "broken.yml"});
    BOOST_TEST(broken.code == 1);
    BOOST_TEST(broken.err.find("broken.yml:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sample_config_template)
{
    config::sample_inputs in{"pg1", "10.0.0.7", 150000};
    auto cfg = config::sample_config(in, {});
    std::string yaml = config::sample_config_yaml(cfg);
    const std::string expected = R"(scope: '#FIXME'
name: pg1

log:
  format: '%(asctime)s %(levelname)s: %(message)s'
  level: INFO
  max_queue_size: 1000
  traceback_level: ERROR
  type: plain

restapi:
  connect_address: 10.0.0.7:8008
  listen: 10.0.0.7:8008

# The bootstrap configuration. Works only when the cluster is not yet initialized.
# If the cluster is already initialized, all changes in the `bootstrap` section are ignored!
bootstrap:
  # This section will be written into <dcs>:/<namespace>/<scope>/config after initializing
  # new cluster and all other cluster members will use it as a `global configuration`.
  # WARNING! If you want to change any of the parameters that were set up
  # via `bootstrap.dcs` section, please use `patronictl edit-config`!
  dcs:
    loop_wait: 10
    retry_timeout: 10
    ttl: 30
    postgresql:
      parameters:
        hot_standby: 'on'
        max_connections: 100
        max_locks_per_transaction: 64
        max_prepared_transactions: 0
        max_replication_slots: 10
        max_wal_senders: 10
        max_worker_processes: 8
        track_commit_timestamp: 'off'
        wal_keep_size: 128MB
        wal_level: replica
        wal_log_hints: 'on'
      use_pg_rewind: true
      use_slots: true

postgresql:
  authentication:
    replication:
      password: '#FIXME'
      username: replicator
    rewind:
      password: '#FIXME'
      username: rewind_user
    superuser:
      password: '#FIXME'
      username: postgres
  bin_dir: ''
  connect_address: 10.0.0.7:5432
  data_dir: '#FIXME'
  listen: 10.0.0.7:5432
  parameters:
    password_encryption: scram-sha-256
  pg_hba:
  - host all all all scram-sha-256
  - host replication replicator all scram-sha-256

tags:
  clonefrom: true
  failover_priority: 1
  noloadbalance: false
  nostream: false
  nosync: false
  sync_priority: 1
)";
    BOOST_TEST(yaml == expected);
    // The sample reads back as a configuration with the template's values.
    auto doc = config::parse_yaml(yaml, "sample");
    BOOST_TEST_REQUIRE(doc.has_value());
    auto c = config::build_local_config(doc->as_object());
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST(c->scope == "#FIXME");
    BOOST_TEST(c->postgresql.pg_hba->size() == 2u);
}

BOOST_AUTO_TEST_CASE(sample_config_versions_and_env)
{
    auto old = config::sample_config({"h", "#FIXME", 90500}, {{"PATRONI_ETCD3_HOSTS", "e1:2379"}});
    auto* dcs_params = config::find_path(old, "bootstrap.dcs.postgresql.parameters");
    BOOST_TEST_REQUIRE(dcs_params != nullptr);
    BOOST_TEST(dcs_params->as_object().at("wal_keep_segments").as_int64() == 8);
    BOOST_TEST(dcs_params->as_object().at("wal_level").as_string() == "hot_standby");
    BOOST_TEST(config::find_path(old, "postgresql.parameters.password_encryption")->as_string() == "md5");
    BOOST_TEST(config::find_path(old, "postgresql.authentication.rewind") == nullptr);
    BOOST_TEST(config::find_path(old, "etcd3.hosts.0")->as_string() == "e1:2379");
    std::string yaml = config::sample_config_yaml(old);
    BOOST_TEST(yaml.find("\netcd3:\n  hosts:\n  - e1:2379\n\n# The bootstrap") != std::string::npos, yaml);
    BOOST_TEST(yaml.find("connect_address: '#FIXME:8008'") != std::string::npos);
    auto none = config::sample_config({"h", "1.2.3.4", std::nullopt}, {});
    BOOST_TEST(config::find_path(none, "postgresql.pg_hba") == nullptr);
    BOOST_TEST(config::find_path(none, "bootstrap.dcs.postgresql.parameters.wal_level")->as_string() == "hot_standby");
}

BOOST_AUTO_TEST_CASE(generate_sample_config_writes_the_file)
{
    test::temp_dir dir("pgwarden-cli");
    const std::string target = dir / "sub/dir/patroni.yml";
    auto r = run({"--generate-sample-config", target}, {{"PATRONI_SCOPE", "demo"}});
    BOOST_TEST(r.code == 0, r.err);
    std::ifstream in(target);
    std::stringstream ss;
    ss << in.rdbuf();
    BOOST_TEST(ss.str().find("scope: demo\n") == 0u);
    // The real postgres 15 on this host selects the PG >= 13 template.
    BOOST_TEST(ss.str().find("wal_keep_size: 128MB") != std::string::npos);
    auto stdout_run = run({"--generate-sample-config"});
    BOOST_TEST(stdout_run.out.find("# The bootstrap configuration.") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
