// Goal: the local configuration loads exactly as Patroni 4.1 would read it:
// every documented key with its type and default, file / directory /
// PATRONI_CONFIGURATION / environment sources with their precedence, the
// legacy layouts, and an error naming the YAML path for each failure.
// Method: load YAML text or the fixture files (config.md §13's example and the
// samples Debian's patroni package ships) with an explicit environment map,
// then assert on the typed model and on the error detail.
#include <pgwarden/config/document.hpp>
#include <pgwarden/config/load.hpp>

#include "support/process.hpp"

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>

using namespace pgwarden::config;

namespace {

std::string fixture(const std::string& name)
{
    return std::string(PGWARDEN_FIXTURES_DIR) + "/config/" + name;
}

local_config from_yaml(const std::string& text, const environment& env = {})
{
    pgwarden::test::temp_dir dir("pgwarden-config");
    std::ofstream(dir / "p.yml") << text;
    config_error why;
    auto c = load_config(std::filesystem::path(dir / "p.yml"), env, &why);
    BOOST_TEST_REQUIRE(c.has_value(), why.text());
    return *c;
}

config_error load_error(const std::string& text)
{
    pgwarden::test::temp_dir dir("pgwarden-config");
    std::ofstream(dir / "p.yml") << text;
    config_error why;
    auto c = load_config(std::filesystem::path(dir / "p.yml"), {}, &why);
    BOOST_TEST(!c.has_value());
    return why;
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_load)

BOOST_AUTO_TEST_CASE(minimal_example_loads_unchanged)
{
    config_error why;
    auto c = load_config(std::filesystem::path(fixture("minimal.yml")), {}, &why);
    BOOST_TEST_REQUIRE(c.has_value(), why.text());
    BOOST_TEST(c->scope == "batman");
    BOOST_TEST(c->namespace_ == "/service/");
    BOOST_TEST(c->name == "postgresql0");
    BOOST_TEST(c->restapi.listen == "127.0.0.1:8008");
    BOOST_TEST(c->restapi.auth() == "username:password");
    BOOST_TEST((c->dcs == dcs_kind::etcd3));
    BOOST_TEST(c->etcd3->hosts == std::vector<std::string>{"localhost:2379"});
    BOOST_TEST_REQUIRE(c->bootstrap.has_value());
    BOOST_TEST(c->bootstrap->has_dcs);
    BOOST_TEST(c->bootstrap->method == "initdb");
    BOOST_TEST_REQUIRE(c->bootstrap->initdb.size() == 2u);
    BOOST_TEST(c->bootstrap->initdb[0].name == "encoding");
    BOOST_TEST(*c->bootstrap->initdb[0].value == "UTF8");
    BOOST_TEST(c->bootstrap->initdb[1].name == "data-checksums");
    BOOST_TEST(!c->bootstrap->initdb[1].value.has_value());
    BOOST_TEST(c->postgresql.data_dir == "data/postgresql0");
    BOOST_TEST(c->postgresql.pgpass == "/tmp/pgpass0");
    BOOST_TEST(*c->postgresql.authentication.superuser.username == "postgres");
    BOOST_TEST(*c->postgresql.authentication.replication.password == "rep-pass");
    BOOST_TEST(*c->postgresql.authentication.rewind->username == "rewind_user");
    BOOST_TEST(c->postgresql.parameters.find("unix_socket_directories")->text == "..");
    BOOST_TEST(!c->tags.noloadbalance);
    BOOST_TEST(!c->tags.nostream);
    // Defaults of everything the file leaves out.
    BOOST_TEST(c->postgresql.bin_dir == "");
    BOOST_TEST(c->postgresql.create_replica_methods == std::vector<std::string>{"basebackup"});
    BOOST_TEST(c->postgresql.pg_ctl_timeout.value_or(60) == 60);
    BOOST_TEST((c->watchdog.mode == watchdog_mode::automatic));
    BOOST_TEST(c->watchdog.safety_margin == 5);
    BOOST_TEST(c->log.level == "INFO");
    BOOST_TEST(c->log.file_num == 4);
    BOOST_TEST(c->log.file_size == 25000000);
    BOOST_TEST(c->restapi.request_queue_size == 5);
    BOOST_TEST(c->thread_pool_size == 5);
    BOOST_TEST(c->thread_stack_size == 524288);
}

BOOST_AUTO_TEST_CASE(debian_shipped_samples_load)
{
    for (auto name : {"patroni-postgres0.yml", "patroni-postgres1.yml", "patroni-postgres2.yml"}) {
        config_error why;
        auto c = load_config(std::filesystem::path(fixture(name)), {}, &why);
        BOOST_TEST_REQUIRE(c.has_value(), name << ": " << why.text());
        BOOST_TEST((c->dcs == dcs_kind::etcd));
        BOOST_TEST(*c->etcd->host == "127.0.0.1:2379");
        BOOST_TEST(c->bootstrap->pg_hba.size() == 2u);
        // 3.0.2's bootstrap.users still loads.
        BOOST_TEST_REQUIRE(c->bootstrap->users.size() == 1u);
        BOOST_TEST(c->bootstrap->users[0].name == "admin");
        BOOST_TEST(c->bootstrap->users[0].password == "admin%");
        BOOST_TEST(c->bootstrap->users[0].options == (std::vector<std::string>{"createrole", "createdb"}));
        BOOST_TEST(c->tags.nofailover_set);
    }
}

BOOST_AUTO_TEST_CASE(debian_template_with_custom_methods_loads)
{
    config_error why;
    auto c = load_config(std::filesystem::path(fixture("debian-config.yml")), {}, &why);
    BOOST_TEST_REQUIRE(c.has_value(), why.text());
    BOOST_TEST(c->scope == "15-main");
    BOOST_TEST((c->dcs == dcs_kind::zookeeper));
    BOOST_TEST(c->zookeeper->hosts == std::vector<std::string>{"127.0.0.1:2181"});
    BOOST_TEST(c->bootstrap->method == "pg_createcluster");
    BOOST_TEST_REQUIRE(c->bootstrap->methods.size() == 1u);
    BOOST_TEST(c->bootstrap->methods[0].command == "/usr/share/patroni/pg_createcluster_patroni");
    // legacy create_replica_method and its section
    BOOST_TEST(c->postgresql.create_replica_methods == std::vector<std::string>{"pg_clonecluster"});
    BOOST_TEST_REQUIRE(c->postgresql.replica_methods.size() == 1u);
    BOOST_TEST(*c->postgresql.replica_methods[0].command == "/usr/share/patroni/pg_clonecluster_patroni");
    BOOST_TEST(c->postgresql.listen == "*:5432");
    BOOST_TEST(c->postgresql.use_unix_socket);
    BOOST_TEST(c->postgresql.bin_dir == "/usr/lib/postgresql/15/bin");
    // `password:` with no value is null, i.e. unset.
    BOOST_TEST(!c->postgresql.authentication.superuser.password.has_value());
    BOOST_TEST(c->postgresql.parameters.find("logging_collector")->text == "on");
}

BOOST_AUTO_TEST_CASE(yaml_11_scalars_resolve_like_pyyaml)
{
    auto v = parse_yaml("a: on\nb: 0640\nc: 1e5\nd: '5'\ne: 0x1F\nf: ~\ng: 1.5\nh: No\ni: 1_000\n", "t");
    BOOST_TEST_REQUIRE(v.has_value());
    const auto& o = v->as_object();
    BOOST_TEST(o.at("a").as_bool() == true);
    BOOST_TEST(o.at("b").as_int64() == 416);
    BOOST_TEST(o.at("c").as_string() == "1e5");
    BOOST_TEST(o.at("d").as_string() == "5");
    BOOST_TEST(o.at("e").as_int64() == 31);
    BOOST_TEST(o.at("f").is_null());
    BOOST_TEST(o.at("g").as_double() == 1.5);
    BOOST_TEST(o.at("h").as_bool() == false);
    BOOST_TEST(o.at("i").as_int64() == 1000);
}

BOOST_AUTO_TEST_CASE(yaml_merge_keys_and_anchors)
{
    auto v = parse_yaml("base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n", "t");
    BOOST_TEST_REQUIRE(v.has_value());
    const auto& d = v->as_object().at("derived").as_object();
    BOOST_TEST(d.at("x").as_int64() == 1);
    BOOST_TEST(d.at("y").as_int64() == 3);
}

BOOST_AUTO_TEST_CASE(every_section_parses_with_types)
{
    auto c = from_yaml(R"(
name: n1
scope: s
thread_pool_size: 8
thread_stack_size: 512kB
log:
  type: json
  level: DEBUG
  traceback_level: DEBUG
  format: [message, {asctime: '@timestamp'}]
  dateformat: '%Y'
  static_fields: {app: patroni}
  max_queue_size: 50
  dir: /var/log/p
  mode: 0640
  file_size: 1000
  file_num: 2
  loggers: {patroni.postmaster: WARNING}
  deduplicate_heartbeat_logs: true
citus: {group: 1, database: citus}
consul: {host: 'c:8500', port: 8501, consistency: stale, register_service: yes, checks: [a, b], verify: false}
etcd: {hosts: 'h1:2379, h2:2379', use_proxies: true, protocol: https, username: u, password: p}
exhibitor: {hosts: [e1, e2], port: 8181, poll_interval: 10}
kubernetes:
  labels: {app: x}
  namespace: ns
  use_endpoints: true
  pod_ip: 10.0.0.1
  ports: [{name: pg, port: 5433}]
  retriable_http_codes: 401
  bootstrap_labels: {a: b}
raft: {self_addr: '1:1', partner_addrs: ['2:2'], min_timeout: 0.5}
zookeeper: {hosts: [z1], use_ssl: true, set_acls: {CN=a: [ALL]}, auth_data: {digest: 'u:p'}}
postgresql:
  listen: '*:5433'
  connect_address: 10.0.0.1:5433
  proxy_address: 10.0.0.1:6432
  data_dir: /d
  config_dir: /c
  custom_conf: /x.conf
  bin_name: {pg_ctl: pgctl15}
  authentication:
    superuser: {username: su, password: p, sslmode: require, channel_binding: disable}
    replication: {username: rep}
  callbacks: {on_start: /s.sh, on_role_change: /r.sh}
  create_replica_methods: [wal_e, basebackup]
  wal_e: {command: /w.sh, keep_data: true, no_leader: 1, envdir: /e}
  basebackup: {max-rate: 100M, checkpoint: fast}
  rewind: [{keep-data: yes}]
  use_pg_rewind: 'on'
  remove_data_directory_on_rewind_failure: true
  parameters: {max_connections: 200, shared_buffers: 1GB}
  parameters_replica: {work_mem: 8MB}
  pg_hba: [local all all trust]
  pg_hba_primary: [host all all all md5]
  pg_ident: [a b c]
  pg_ctl_timeout: 90
  recovery_conf: {restore_command: cp}
  use_unix_socket_repl: true
  pre_promote: /f.sh
  krbsrvname: pg
  some_future_key: 7
restapi:
  listen: 0.0.0.0:8008
  connect_address: 10.0.0.1:8008
  authentication: {username: a, password: b}
  certfile: /c.pem
  verify_client: optional
  allowlist: [10.0.0.0/8]
  allowlist_include_members: true
  http_extra_headers: {X-A: b}
  request_queue_size: 10
  server_tokens: ProductOnly
ctl: {insecure: true, cacert: /ca, authentication: {username: c, password: d}}
watchdog: {mode: required, device: /dev/wd1, safety_margin: -1}
tags: {nofailover: false, failover_priority: 3, sync_priority: 0, replicatefrom: n2, zone: a}
custom_top: {x: 1}
)");
    BOOST_TEST(c.thread_pool_size == 8);
    BOOST_TEST(c.thread_stack_size == 524288);
    BOOST_TEST(c.log.type == "json");
    BOOST_TEST_REQUIRE(c.log.format_fields.size() == 2u);
    BOOST_TEST(c.log.format_fields[1].name == "asctime");
    BOOST_TEST(c.log.format_fields[1].key == "@timestamp");
    BOOST_TEST(*c.log.mode == 0640);
    BOOST_TEST(c.log.loggers.at(0).second == "WARNING");
    BOOST_TEST(c.log.deduplicate_heartbeat_logs);
    BOOST_TEST(c.citus->group == 1);
    BOOST_TEST((c.dcs == dcs_kind::consul));   // first in alphabetical order
    BOOST_TEST(*c.consul->port == 8501);
    BOOST_TEST(c.consul->register_service);
    BOOST_TEST(*c.consul->verify == false);
    BOOST_TEST(c.etcd->hosts == (std::vector<std::string>{"h1:2379", "h2:2379"}));
    BOOST_TEST(c.exhibitor->poll_interval == 10);
    BOOST_TEST(c.kubernetes->ports.at(0).port == 5433);
    BOOST_TEST(c.kubernetes->retriable_http_codes == std::vector<std::int64_t>{401});
    BOOST_TEST(c.kubernetes->namespace_ == "ns");
    BOOST_TEST(c.raft->min_timeout == 0.5);
    BOOST_TEST(c.raft->max_timeout == 1.4);
    BOOST_TEST(c.zookeeper->use_ssl);
    BOOST_TEST(c.zookeeper->set_acls.at(0).first == "CN=a");
    BOOST_TEST(c.postgresql.binary("pg_ctl") == "pgctl15");
    BOOST_TEST(c.postgresql.binary("initdb") == "initdb");
    BOOST_TEST(*c.postgresql.authentication.superuser.channel_binding == "disable");
    BOOST_TEST(!c.postgresql.authentication.rewind.has_value());
    BOOST_TEST(*c.postgresql.callbacks.on_role_change == "/r.sh");
    BOOST_TEST_REQUIRE(c.postgresql.replica_methods.size() == 1u);
    BOOST_TEST(c.postgresql.replica_methods[0].keep_data);
    BOOST_TEST(c.postgresql.replica_methods[0].no_leader);
    BOOST_TEST(c.postgresql.replica_methods[0].options.find("envdir")->text == "/e");
    BOOST_TEST(c.postgresql.basebackup.size() == 2u);
    BOOST_TEST(c.postgresql.rewind.at(0).value.value_or("") == "True");
    BOOST_TEST(*c.postgresql.use_pg_rewind);
    BOOST_TEST(c.postgresql.parameters.find("max_connections")->text == "200");
    BOOST_TEST((c.postgresql.parameters.find("max_connections")->type == scalar::kind::integer));
    BOOST_TEST(c.postgresql.replica.parameters.find("work_mem")->text == "8MB");
    BOOST_TEST(c.postgresql.primary.pg_hba->size() == 1u);
    BOOST_TEST(*c.postgresql.pg_ctl_timeout == 90);
    BOOST_TEST(c.postgresql.recovery_conf->find("restore_command")->text == "cp");
    BOOST_TEST(c.postgresql.extra.find("some_future_key")->text == "7");
    BOOST_TEST(c.restapi.server_tokens == "productonly");
    BOOST_TEST(c.restapi.http_extra_headers.find("X-A")->text == "b");
    BOOST_TEST(c.ctl.insecure);
    BOOST_TEST(*c.ctl.username == "c");
    BOOST_TEST((c.watchdog.mode == watchdog_mode::required));
    BOOST_TEST(c.watchdog.safety_margin == -1);
    BOOST_TEST(!c.tags.effective_nofailover());   // the bool tag wins
    BOOST_TEST(c.tags.effective_nosync());        // priority 0, no bool tag
    BOOST_TEST(c.tags.custom.find("zone")->text == "a");
    BOOST_TEST_REQUIRE(c.extra.size() == 1u);
    BOOST_TEST(c.extra[0].first == "custom_top");
}

BOOST_AUTO_TEST_CASE(bad_plain_log_format_keeps_the_default)
{
    auto c = from_yaml("name: a\nlog: {format: 5}\n");
    BOOST_TEST(c.log.format == "%(asctime)s %(levelname)s: %(message)s");
}

BOOST_AUTO_TEST_CASE(watchdog_mode_spellings)
{
    for (auto [text, mode] : std::vector<std::pair<std::string, watchdog_mode>>{
             {"off", watchdog_mode::off}, {"false", watchdog_mode::off}, {"disabled", watchdog_mode::off},
             {"auto", watchdog_mode::automatic}, {"require", watchdog_mode::required}, {"bogus", watchdog_mode::off}}) {
        auto c = from_yaml("name: a\nwatchdog:\n  mode: " + text + "\n");
        BOOST_TEST((c.watchdog.mode == mode), text);
    }
}

BOOST_AUTO_TEST_CASE(legacy_layouts_are_converted)
{
    auto c = from_yaml(R"(
zookeeper: {exhibitor: {hosts: [e1], port: 8181}}
postgresql:
  name: legacy-name
  superuser: {username: su, password: x}
  replication: {username: rep, password: y}
  pg_rewind: {username: rw, password: z}
)");
    BOOST_TEST(c.name == "legacy-name");
    BOOST_TEST((c.dcs == dcs_kind::exhibitor));
    BOOST_TEST(!c.zookeeper.has_value());
    BOOST_TEST(*c.postgresql.authentication.superuser.username == "su");
    BOOST_TEST(*c.postgresql.authentication.replication.username == "rep");
    BOOST_TEST(*c.postgresql.use_pg_rewind);
}

BOOST_AUTO_TEST_CASE(citus_defaults_synchronous_mode_to_quorum)
{
    auto c = from_yaml("name: a\ncitus: {group: 0, database: citus}\nbootstrap: {dcs: {ttl: 30}}\n");
    BOOST_TEST(c.bootstrap->dcs_json == R"({"ttl":30,"synchronous_mode":"quorum"})");
    auto bad = from_yaml("name: a\ncitus: {group: '0', database: citus}\n");
    BOOST_TEST(!bad.citus.has_value());   // group must be an int
}

// ---- sources and precedence

BOOST_AUTO_TEST_CASE(env_overrides_file)
{
    auto c = from_yaml("name: file\nscope: s\nrestapi: {listen: '1:1', connect_address: '2:2'}\n",
                       {{"PATRONI_NAME", "env"}, {"PATRONI_RESTAPI_LISTEN", "3:3"}, {"PATRONI_SCOPE", ""}});
    BOOST_TEST(c.name == "env");
    BOOST_TEST(c.scope == "s");   // empty values are ignored
    BOOST_TEST(c.restapi.listen == "3:3");
    BOOST_TEST(c.restapi.connect_address == "2:2");
}

BOOST_AUTO_TEST_CASE(directory_merges_yaml_files_in_name_order)
{
    pgwarden::test::temp_dir dir("pgwarden-config");
    std::ofstream(dir / "10-base.yml") << "name: a\nscope: s\npostgresql: {listen: '1:1', data_dir: /d}\n";
    std::ofstream(dir / "20-over.yaml") << "name: b\npostgresql: {data_dir: /e, listen: null}\n";
    std::ofstream(dir / "30-ignored.txt") << "name: c\n";
    std::filesystem::create_directory(dir / "40-dir.yml");
    config_error why;
    auto c = load_config(std::filesystem::path(dir.path()), {{"PATRONI_SCOPE", "env-scope"}}, &why);
    BOOST_TEST_REQUIRE(c.has_value(), why.text());
    BOOST_TEST(c->name == "b");
    BOOST_TEST(c->scope == "env-scope");
    BOOST_TEST(c->postgresql.data_dir == "/e");
    BOOST_TEST(c->postgresql.listen == "");   // null in a later file deletes the key
}

BOOST_AUTO_TEST_CASE(patroni_configuration_replaces_other_env_vars)
{
    environment env{{"PATRONI_CONFIGURATION", "name: from-yaml\nscope: s\n"}, {"PATRONI_NAME", "ignored"}};
    auto c = load_config(std::nullopt, env);
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST(c->name == "from-yaml");
    // A config file, when it exists, wins over PATRONI_CONFIGURATION; PATRONI_NAME applies then.
    auto f = from_yaml("name: file\n", env);
    BOOST_TEST(f.name == "ignored");
    // A missing file falls back to the environment.
    auto m = load_config(std::filesystem::path("/nonexistent/pgwarden.yml"), env);
    BOOST_TEST_REQUIRE(m.has_value());
    BOOST_TEST(m->name == "from-yaml");
}

BOOST_AUTO_TEST_CASE(environment_only_configuration)
{
    environment env{{"PATRONI_NAME", "n"},
                    {"PATRONI_SCOPE", "s"},
                    {"PATRONI_ETCD3_HOSTS", "'h1:2379','h2:2379'"},
                    {"PATRONI_ETCD3_PASSWORD", "pw"},
                    {"PATRONI_ETCD3_USERNAME", "u"},
                    {"PATRONI_POSTGRESQL_DATA_DIR", "/d"},
                    {"PATRONI_SUPERUSER_USERNAME", "su"},
                    {"PATRONI_SUPERUSER_SSLMODE", "verify-full"},
                    {"PATRONI_REPLICATION_PASSWORD", "rp"}};
    auto c = load_config(std::nullopt, env);
    BOOST_TEST_REQUIRE(c.has_value());
    BOOST_TEST((c->dcs == dcs_kind::etcd3));
    BOOST_TEST(c->etcd3->hosts == (std::vector<std::string>{"h1:2379", "h2:2379"}));
    BOOST_TEST(*c->etcd3->username == "u");
    BOOST_TEST(c->postgresql.data_dir == "/d");
    BOOST_TEST(*c->postgresql.authentication.superuser.sslmode == "verify-full");
    BOOST_TEST(*c->postgresql.authentication.replication.password == "rp");
}

// ---- errors

BOOST_AUTO_TEST_CASE(empty_config_is_rejected)
{
    auto why = load_error("# nothing\n");
    BOOST_TEST((why.code == error::empty));
    BOOST_TEST(why.message == "Config is empty.");
    BOOST_TEST((why.code == pgwarden::condition::invalid_argument));
}

BOOST_AUTO_TEST_CASE(reserved_name_is_rejected)
{
    auto why = load_error("name: __patroni_strict_sync_replica_placeholder__\n");
    BOOST_TEST((why.code == error::reserved_name));
    BOOST_TEST(why.path == "name");
}

BOOST_AUTO_TEST_CASE(syntax_error_names_file_line_and_column)
{
    auto why = load_error("name: a\npostgresql:\n  listen: [unclosed\n");
    BOOST_TEST((why.code == error::syntax));
    BOOST_TEST(why.path.find("p.yml:") != std::string::npos);
    BOOST_TEST(!why.message.empty());
}

BOOST_AUTO_TEST_CASE(top_level_must_be_a_map)
{
    auto why = load_error("- a\n- b\n");
    BOOST_TEST((why.code == error::invalid_file));
    BOOST_TEST(why.message.find("invalid config file") == 0u);
}

BOOST_AUTO_TEST_CASE(wrong_types_name_the_yaml_path)
{
    struct tcase { const char* yaml; const char* path; };
    for (auto t : {tcase{"postgresql: {pg_ctl_timeout: soon}\n", "postgresql.pg_ctl_timeout"},
                   tcase{"restapi: 5\n", "restapi"},
                   tcase{"postgresql: {pg_hba: [a, [b]]}\n", "postgresql.pg_hba.1"},
                   tcase{"tags: {nofailover: maybe}\n", "tags.nofailover"},
                   tcase{"log: {file_num: many}\n", "log.file_num"},
                   tcase{"kubernetes: {ports: [{port: x}]}\n", "kubernetes.ports.0.port"},
                   tcase{"postgresql: {authentication: {superuser: [x]}}\n", "postgresql.authentication.superuser"}}) {
        auto why = load_error(std::string("name: a\n") + t.yaml);
        BOOST_TEST((why.code == error::bad_value), t.yaml);
        BOOST_TEST(why.path == t.path, t.yaml << " -> " << why.path);
    }
}

BOOST_AUTO_TEST_CASE(missing_file_in_directory_path_and_bad_path)
{
    config_error why;
    auto r = load_document(std::filesystem::path("/dev/null"), {}, &why);
    BOOST_TEST(!r.has_value());
    BOOST_TEST((r.error() == error::invalid_path));
}

BOOST_AUTO_TEST_SUITE_END()
