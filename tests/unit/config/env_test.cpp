// Goal: every PATRONI_* variable of config.md §3 lands on its config key with
// its type, including Patroni's quirks (legacy log names, _BIN_PG_ISREADY,
// USE_SSL kept as a string, etcd credentials only with another etcd variable,
// unread documented names), and the lenient value parsers behave like
// patroni/utils.py.
// Method: build the overlay from literal environment maps and compare the
// resulting JSON tree; parse_bool/parse_int against known Patroni results.
#include <pgwarden/config/document.hpp>
#include <pgwarden/config/env.hpp>
#include <pgwarden/config/values.hpp>

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

using namespace pgwarden::config;

namespace {

std::string at(const boost::json::object& o, std::string_view path)
{
    const auto* v = find_path(o, path);
    return v ? boost::json::serialize(*v) : "<missing>";
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_env)

BOOST_AUTO_TEST_CASE(global_and_log_variables)
{
    environment env{{"PATRONI_NAME", "n"},
                    {"PATRONI_NAMESPACE", "/ns"},
                    {"PATRONI_SCOPE", "s"},
                    {"PATRONI_THREAD_POOL_SIZE", "7"},
                    {"PATRONI_THREAD_STACK_SIZE", "1MB"},
                    {"PATRONI_LOG_TYPE", "json"},
                    {"PATRONI_LOG_LEVEL", "DEBUG"},
                    {"PATRONI_LOG_TRACEBACK_LEVEL", "DEBUG"},
                    {"PATRONI_LOG_FORMAT", "message,levelname"},
                    {"PATRONI_LOG_DATEFORMAT", "%H"},
                    {"PATRONI_LOG_STATIC_FIELDS", "app: patroni"},
                    {"PATRONI_LOG_MAX_QUEUE_SIZE", "0x10"},
                    {"PATRONI_LOG_DIR", "/var/log"},
                    {"PATRONI_LOG_MODE", "0640"},
                    {"PATRONI_LOG_FILE_SIZE", "100"},
                    {"PATRONI_LOG_FILE_NUM", "x"},
                    {"PATRONI_LOG_LOGGERS", "{urllib3: DEBUG}"},
                    {"PATRONI_LOG_DEDUPLICATE_HEARTBEAT_LOGS", "on"}};
    std::vector<std::string> consumed;
    auto o = env_overlay(env, &consumed);
    BOOST_TEST(at(o, "name") == R"("n")");
    BOOST_TEST(at(o, "namespace") == R"("/ns")");
    BOOST_TEST(at(o, "thread_pool_size") == R"("7")");   // str, converted at use
    BOOST_TEST(at(o, "thread_stack_size") == R"("1MB")");
    BOOST_TEST(at(o, "log.type") == R"("json")");
    BOOST_TEST(at(o, "log.traceback_level") == R"("DEBUG")");
    BOOST_TEST(at(o, "log.format") == R"(["message","levelname"])");
    BOOST_TEST(at(o, "log.static_fields") == R"({"app":"patroni"})");
    BOOST_TEST(at(o, "log.max_queue_size") == "16");
    BOOST_TEST(at(o, "log.mode") == "416");
    BOOST_TEST(at(o, "log.file_size") == "100");
    BOOST_TEST(at(o, "log.file_num") == "<missing>");   // not an int: dropped
    BOOST_TEST(at(o, "log.loggers") == R"({"urllib3":"DEBUG"})");
    BOOST_TEST(at(o, "log.deduplicate_heartbeat_logs") == "true");
    BOOST_TEST(at(o, "log.dir") == R"("/var/log")");
    BOOST_TEST(consumed.size() == env.size());
}

BOOST_AUTO_TEST_CASE(log_format_with_placeholders_stays_a_string)
{
    auto o = env_overlay({{"PATRONI_LOG_FORMAT", "%(asctime)s %(message)s"}});
    BOOST_TEST(at(o, "log.format") == R"("%(asctime)s %(message)s")");
}

BOOST_AUTO_TEST_CASE(legacy_log_names_only_when_new_ones_are_unset)
{
    auto o = env_overlay({{"PATRONI_LOGLEVEL", "ERROR"}, {"PATRONI_LOGFORMAT", "%(message)s"},
                          {"PATRONI_LOG_DATEFMT", "%Y"}});
    BOOST_TEST(at(o, "log.level") == R"("ERROR")");
    BOOST_TEST(at(o, "log.format") == R"("%(message)s")");
    BOOST_TEST(at(o, "log.dateformat") == R"("%Y")");
    auto both = env_overlay({{"PATRONI_LOGLEVEL", "ERROR"}, {"PATRONI_LOG_LEVEL", "INFO"}});
    BOOST_TEST(at(both, "log.level") == R"("INFO")");
}

BOOST_AUTO_TEST_CASE(restapi_and_ctl_variables)
{
    environment env{{"PATRONI_RESTAPI_LISTEN", "0.0.0.0:8008"},
                    {"PATRONI_RESTAPI_CONNECT_ADDRESS", "h:8008"},
                    {"PATRONI_RESTAPI_CERTFILE", "/c"},
                    {"PATRONI_RESTAPI_KEYFILE", "/k"},
                    {"PATRONI_RESTAPI_KEYFILE_PASSWORD", "kp"},
                    {"PATRONI_RESTAPI_CAFILE", "/ca"},
                    {"PATRONI_RESTAPI_CIPHERS", "HIGH"},
                    {"PATRONI_RESTAPI_VERIFY_CLIENT", "required"},
                    {"PATRONI_RESTAPI_SERVER_TOKENS", "Minimal"},
                    {"PATRONI_RESTAPI_HTTP_EXTRA_HEADERS", "X-A: b"},
                    {"PATRONI_RESTAPI_HTTPS_EXTRA_HEADERS", "{X-B: c}"},
                    {"PATRONI_RESTAPI_ALLOWLIST", "10.0.0.0/8,127.0.0.1"},
                    {"PATRONI_RESTAPI_ALLOWLIST_INCLUDE_MEMBERS", "yes"},
                    {"PATRONI_RESTAPI_REQUEST_QUEUE_SIZE", "10"},
                    {"PATRONI_RESTAPI_USERNAME", "u"},
                    {"PATRONI_RESTAPI_THREAD_POOL_SIZE", "9"},
                    {"PATRONI_CTL_INSECURE", "true"},
                    {"PATRONI_CTL_CACERT", "/cc"},
                    {"PATRONI_CTL_CERTFILE", "/cf"},
                    {"PATRONI_CTL_KEYFILE", "/ck"},
                    {"PATRONI_CTL_KEYFILE_PASSWORD", "ckp"},
                    {"PATRONI_CTL_USERNAME", "cu"}};
    std::vector<std::string> consumed;
    auto o = env_overlay(env, &consumed);
    BOOST_TEST(at(o, "restapi.listen") == R"("0.0.0.0:8008")");
    BOOST_TEST(at(o, "restapi.keyfile_password") == R"("kp")");
    BOOST_TEST(at(o, "restapi.server_tokens") == R"("Minimal")");
    BOOST_TEST(at(o, "restapi.http_extra_headers") == R"({"X-A":"b"})");
    BOOST_TEST(at(o, "restapi.https_extra_headers") == R"({"X-B":"c"})");
    BOOST_TEST(at(o, "restapi.allowlist") == R"(["10.0.0.0/8","127.0.0.1"])");
    BOOST_TEST(at(o, "restapi.allowlist_include_members") == "true");
    BOOST_TEST(at(o, "restapi.request_queue_size") == "10");
    BOOST_TEST(at(o, "restapi.authentication") == R"({"username":"u"})");
    BOOST_TEST(at(o, "restapi.thread_pool_size") == "<missing>");   // documented, not read
    BOOST_TEST(std::count(consumed.begin(), consumed.end(), "PATRONI_RESTAPI_THREAD_POOL_SIZE") == 0);
    BOOST_TEST(at(o, "ctl.insecure") == "true");
    BOOST_TEST(at(o, "ctl.keyfile_password") == R"("ckp")");
    BOOST_TEST(at(o, "ctl.authentication") == "<missing>");   // both username and password needed
    auto both = env_overlay({{"PATRONI_CTL_USERNAME", "a"}, {"PATRONI_CTL_PASSWORD", "b"}});
    BOOST_TEST(at(both, "ctl.authentication") == R"({"username":"a","password":"b"})");
}

BOOST_AUTO_TEST_CASE(postgresql_variables)
{
    environment env{{"PATRONI_POSTGRESQL_LISTEN", "*:5432"},
                    {"PATRONI_POSTGRESQL_CONNECT_ADDRESS", "h:5432"},
                    {"PATRONI_POSTGRESQL_PROXY_ADDRESS", "h:6432"},
                    {"PATRONI_POSTGRESQL_CONFIG_DIR", "/c"},
                    {"PATRONI_POSTGRESQL_DATA_DIR", "/d"},
                    {"PATRONI_POSTGRESQL_PGPASS", "/p"},
                    {"PATRONI_POSTGRESQL_BIN_DIR", "/b"},
                    {"PATRONI_POSTGRESQL_BIN_PG_CTL", "pgc"},
                    {"PATRONI_POSTGRESQL_BIN_INITDB", "idb"},
                    {"PATRONI_POSTGRESQL_BIN_PG_CONTROLDATA", "pcd"},
                    {"PATRONI_POSTGRESQL_BIN_PG_BASEBACKUP", "pbb"},
                    {"PATRONI_POSTGRESQL_BIN_POSTGRES", "pg"},
                    {"PATRONI_POSTGRESQL_BIN_PG_ISREADY", "pir"},
                    {"PATRONI_POSTGRESQL_BIN_IS_READY", "documented-but-wrong"},
                    {"PATRONI_POSTGRESQL_BIN_PG_REWIND", "prw"},
                    {"PATRONI_POSTGRESQL_PORT", "5433"},
                    {"PATRONI_REPLICATION_USERNAME", "rep"},
                    {"PATRONI_REPLICATION_PASSWORD", "rp"},
                    {"PATRONI_SUPERUSER_SSLMODE", "require"},
                    {"PATRONI_SUPERUSER_SSLCERT", "/sc"},
                    {"PATRONI_SUPERUSER_SSLKEY", "/sk"},
                    {"PATRONI_SUPERUSER_SSLPASSWORD", "sp"},
                    {"PATRONI_SUPERUSER_SSLROOTCERT", "/sr"},
                    {"PATRONI_SUPERUSER_SSLCRL", "/scrl"},
                    {"PATRONI_SUPERUSER_SSLCRLDIR", "/scrld"},
                    {"PATRONI_SUPERUSER_GSSENCMODE", "disable"},
                    {"PATRONI_SUPERUSER_CHANNEL_BINDING", "require"},
                    {"PATRONI_SUPERUSER_SSLNEGOTIATION", "direct"},
                    {"PATRONI_REWIND_USERNAME", "rw"}};
    auto o = env_overlay(env);
    BOOST_TEST(at(o, "postgresql.listen") == R"("*:5432")");
    BOOST_TEST(at(o, "postgresql.proxy_address") == R"("h:6432")");
    BOOST_TEST(at(o, "postgresql.config_dir") == R"("/c")");
    BOOST_TEST(at(o, "postgresql.pgpass") == R"("/p")");
    BOOST_TEST(at(o, "postgresql.bin_dir") == R"("/b")");
    BOOST_TEST(at(o, "postgresql.bin_name") ==
               R"({"pg_ctl":"pgc","initdb":"idb","pg_controldata":"pcd","pg_basebackup":"pbb","postgres":"pg",)"
               R"("pg_isready":"pir","pg_rewind":"prw"})");
    BOOST_TEST(at(o, "postgresql.port") == "5433");   // generic suffix, harmless
    BOOST_TEST(at(o, "postgresql.authentication.replication") == R"({"username":"rep","password":"rp"})");
    BOOST_TEST(at(o, "postgresql.authentication.superuser") ==
               R"({"sslmode":"require","sslcert":"/sc","sslkey":"/sk","sslpassword":"sp","sslrootcert":"/sr",)"
               R"("sslcrl":"/scrl","sslcrldir":"/scrld","gssencmode":"disable","channel_binding":"require",)"
               R"("sslnegotiation":"direct"})");
    BOOST_TEST(at(o, "postgresql.authentication.rewind.username") == R"("rw")");
}

BOOST_AUTO_TEST_CASE(raft_and_citus_variables)
{
    auto o = env_overlay({{"PATRONI_RAFT_DATA_DIR", "/r"},
                          {"PATRONI_RAFT_SELF_ADDR", "a:1"},
                          {"PATRONI_RAFT_PASSWORD", "p"},
                          {"PATRONI_RAFT_BIND_ADDR", "b:1"},
                          {"PATRONI_RAFT_PARTNER_ADDRS", "'c:1','d:1'"},
                          {"PATRONI_RAFT_MIN_TIMEOUT", "0.5"},
                          {"PATRONI_RAFT_LEADER_FALLBACK_TIMEOUT", "20"},
                          {"PATRONI_CITUS_GROUP", "2"},
                          {"PATRONI_CITUS_DATABASE", "db"},
                          {"PATRONI_CITUS_HOST", "ignored"}});
    BOOST_TEST(at(o, "raft.data_dir") == R"("/r")");
    BOOST_TEST(at(o, "raft.partner_addrs") == R"(["c:1","d:1"])");
    BOOST_TEST(at(o, "raft.min_timeout") == "5E-1");
    BOOST_TEST(find_path(o, "raft.leader_fallback_timeout")->as_double() == 20.0);
    BOOST_TEST(at(o, "citus") == R"({"database":"db","group":2})");
}

BOOST_AUTO_TEST_CASE(generic_dcs_variables)
{
    environment env{{"PATRONI_ETCD3_HOSTS", "h1:2379,h2:2379"},
                    {"PATRONI_ETCD3_PROTOCOL", "https"},
                    {"PATRONI_ETCD3_USERNAME", "u"},
                    {"PATRONI_ETCD3_PASSWORD", "p"},
                    {"PATRONI_ETCD_USERNAME", "lonely"},
                    {"PATRONI_CONSUL_URL", "http://c:8500"},
                    {"PATRONI_CONSUL_SCHEME", "https"},
                    {"PATRONI_CONSUL_PORT", "8501"},
                    {"PATRONI_CONSUL_REGISTER_SERVICE", "true"},
                    {"PATRONI_CONSUL_CHECKS", "[a, b]"},
                    {"PATRONI_ZOOKEEPER_HOSTS", "['z1:2181', 'z2:2181']"},
                    {"PATRONI_ZOOKEEPER_USE_SSL", "false"},
                    {"PATRONI_ZOOKEEPER_SET_ACLS", "CN=p: [ALL]"},
                    {"PATRONI_ZOOKEEPER_AUTH_DATA", "digest: 'u:p'"},
                    {"PATRONI_KUBERNETES_LABELS", "{application: patroni}"},
                    {"PATRONI_KUBERNETES_USE_ENDPOINTS", "true"},
                    {"PATRONI_KUBERNETES_POD_IP", "10.0.0.1"},
                    {"PATRONI_KUBERNETES_PORTS", "[{name: pg, port: 5432}]"},
                    {"PATRONI_KUBERNETES_RETRIABLE_HTTP_CODES", "401,403"},
                    {"PATRONI_RETRIABLE_HTTP_CODES", "500"},
                    {"PATRONI_KUBERNETES_LEADER_LABEL_VALUE", "master"},
                    {"PATRONI_KUBERNETES_BOOTSTRAP_LABELS", "a: b"},
                    {"PATRONI_EXHIBITOR_PORT", "bad"}};
    auto o = env_overlay(env);
    BOOST_TEST(at(o, "etcd3") == R"({"hosts":["h1:2379","h2:2379"],"protocol":"https","username":"u","password":"p"})");
    BOOST_TEST(at(o, "etcd") == "<missing>");   // credentials alone do not create the section
    BOOST_TEST(at(o, "consul.url") == R"("http://c:8500")");
    BOOST_TEST(at(o, "consul.scheme") == "<missing>");
    BOOST_TEST(at(o, "consul.port") == "8501");
    BOOST_TEST(at(o, "consul.register_service") == "true");
    BOOST_TEST(at(o, "consul.checks") == R"(["a","b"])");
    BOOST_TEST(at(o, "zookeeper.hosts") == R"(["z1:2181","z2:2181"])");
    BOOST_TEST(at(o, "zookeeper.use_ssl") == R"("false")");   // kept as a string
    BOOST_TEST(at(o, "zookeeper.set_acls") == R"({"CN=p":["ALL"]})");
    BOOST_TEST(at(o, "zookeeper.auth_data") == R"({"digest":"u:p"})");
    BOOST_TEST(at(o, "kubernetes.labels") == R"({"application":"patroni"})");
    BOOST_TEST(at(o, "kubernetes.use_endpoints") == "true");
    BOOST_TEST(at(o, "kubernetes.ports") == R"([{"name":"pg","port":5432}])");
    BOOST_TEST(at(o, "kubernetes.retriable_http_codes") == "[401,403]");
    BOOST_TEST(at(o, "kubernetes.leader_label_value") == R"("master")");
    BOOST_TEST(at(o, "kubernetes.bootstrap_labels") == R"({"a":"b"})");
    BOOST_TEST(at(o, "retriable") == "<missing>");
    BOOST_TEST(at(o, "exhibitor") == "<missing>");   // unparsable port dropped, empty section removed
}

BOOST_AUTO_TEST_CASE(postmaster_environment_is_cleaned)
{
    environment env{{"PATH", "/bin"}, {"PATRONI_NAME", "x"}, {"KUBERNETES_SERVICE_HOST", "k"},
                    {"NOTIFY_SOCKET", "/run/s"}, {"PG_MALLOC_ARENA_MAX", ""}, {"MALLOC_ARENA_MAX", "1"}};
    auto pm = postmaster_environment(env);
    BOOST_TEST(pm.size() == 2u);
    BOOST_TEST(pm.at("PATH") == "/bin");
    BOOST_TEST(pm.at("MALLOC_ARENA_MAX") == "");
    environment plain{{"MALLOC_ARENA_MAX", "1"}};
    BOOST_TEST(postmaster_environment(plain).at("MALLOC_ARENA_MAX") == "1");
    const char* envp[] = {"A=1", "B=x=y", "NOEQ", nullptr};
    auto e = environment_from(envp);
    BOOST_TEST(e.size() == 2u);
    BOOST_TEST(e.at("B") == "x=y");
}

BOOST_AUTO_TEST_CASE(value_parsers_match_patroni_utils)
{
    for (auto t : {"on", "TRUE", "yes", "1", " On "})
        BOOST_TEST(parse_bool(t).value_or(false), t);
    for (auto f : {"off", "False", "NO", "0"})
        BOOST_TEST(!parse_bool(f).value_or(true), f);
    BOOST_TEST(!parse_bool("maybe").has_value());
    BOOST_TEST(!parse_bool("").has_value());
    BOOST_TEST(parse_int("42").value_or(0) == 42);
    BOOST_TEST(parse_int("0x1F").value_or(0) == 31);
    BOOST_TEST(parse_int("0640").value_or(0) == 416);
    BOOST_TEST(parse_int("-5").value_or(0) == -5);
    BOOST_TEST(parse_int("2.5").value_or(0) == 2);   // round half to even
    BOOST_TEST(parse_int("3.5").value_or(0) == 4);
    BOOST_TEST(parse_int("30min", "s").value_or(0) == 1800);
    BOOST_TEST(parse_int("1GB", "MB").value_or(0) == 1024);
    BOOST_TEST(parse_int("1GB", "8kB").value_or(0) == 131072);
    BOOST_TEST(parse_int("512kB", "B").value_or(0) == 524288);
    BOOST_TEST(parse_int("100ms", "s").value_or(-1) == 0);
    BOOST_TEST(!parse_int("5MB").has_value());        // a unit needs a base unit
    BOOST_TEST(!parse_int("5 parsecs", "s").has_value());
    BOOST_TEST(!parse_int("1s", "MB").has_value());   // wrong family
    BOOST_TEST(!parse_int("abc").has_value());
    BOOST_TEST(parse_real("0.25").value_or(0) == 0.25);
    BOOST_TEST(parse_real("1.5h", "min").value_or(0) == 90.0);
}

BOOST_AUTO_TEST_SUITE_END()
