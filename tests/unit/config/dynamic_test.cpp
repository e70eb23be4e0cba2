// Goal: the dynamic configuration is read with Patroni's lenient rules
// (dcs.md §2.3), survives an encode/parse round trip, the timeout rule
// (ha-loop.md §1.1) adjusts exactly as Patroni does with its warning text,
// and the merge with the local config applies the forced-parameter rules
// (config.md §2.3, §8.1).
// Method: parse literal JSON and the real config values captured from
// Patroni 3.0.2 and 4.1 clusters (tests/fixtures), then assert on fields;
// the patroni.dynamic.json cache is written to a temporary data directory.
#include <pgwarden/config/dynamic.hpp>
#include <pgwarden/config/load.hpp>
#include <pgwarden/config/document.hpp>

#include "support/process.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace pgwarden::config;

namespace {

std::string read_fixture(const std::string& rel)
{
    std::ifstream in(std::string(PGWARDEN_FIXTURES_DIR) + "/" + rel);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

dynamic_config dyn(const std::string& json)
{
    config_error why;
    auto d = parse_dynamic(json, &why);
    BOOST_TEST_REQUIRE(d.has_value(), why.text());
    return *d;
}

local_config local(const std::string& yaml)
{
    auto doc = parse_yaml(yaml, "t");
    BOOST_TEST_REQUIRE(doc.has_value());
    auto c = build_local_config(doc->as_object());
    BOOST_TEST_REQUIRE(c.has_value());
    return *c;
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_dynamic)

BOOST_AUTO_TEST_CASE(defaults_when_empty)
{
    auto d = dyn("{}");
    BOOST_TEST(d.ttl == 30);
    BOOST_TEST(d.loop_wait == 10);
    BOOST_TEST(d.retry_timeout == 10);
    BOOST_TEST(d.maximum_lag_on_failover == 1048576);
    BOOST_TEST(d.maximum_lag_on_syncnode == -1);
    BOOST_TEST(d.primary_start_timeout == 300);
    BOOST_TEST(d.primary_stop_timeout == 0);
    BOOST_TEST(d.member_slots_ttl_s == 1800);
    BOOST_TEST(d.synchronous_node_count == 1);
    BOOST_TEST(!d.is_synchronous());
    BOOST_TEST(!d.pause);
    BOOST_TEST(d.postgresql.use_slots);
    BOOST_TEST(!d.is_standby_cluster());
}

BOOST_AUTO_TEST_CASE(patroni_302_captured_config)
{
    auto d = dyn(read_fixture("patroni-3.0.2/config.json"));
    BOOST_TEST(d.loop_wait == 2);
    BOOST_TEST(d.failsafe_mode);
    BOOST_TEST((d.sync_mode == synchronous_mode::on));
    BOOST_TEST_REQUIRE(d.slots.size() == 1u);
    BOOST_TEST(d.slots[0].name == "permanent_1");
    BOOST_TEST(d.slots[0].type == "physical");
    BOOST_TEST(*d.postgresql.use_pg_rewind);
    BOOST_TEST(d.postgresql.parameters.find("max_connections")->text == "101");
    auto d4 = dyn(read_fixture("patroni-4.1/config.json"));
    BOOST_TEST(*d4.postgresql.use_pg_rewind);
}

BOOST_AUTO_TEST_CASE(lenient_booleans_and_modes)
{
    BOOST_TEST(dyn(R"({"pause": "on"})").pause);
    BOOST_TEST(dyn(R"({"pause": 1})").pause);
    BOOST_TEST(dyn(R"({"pause": "YES"})").pause);
    BOOST_TEST(!dyn(R"({"pause": "maybe"})").pause);
    BOOST_TEST(dyn(R"({"failsafe_mode": "true"})").failsafe_mode);
    BOOST_TEST(dyn(R"({"check_timeline": true})").check_timeline);
    BOOST_TEST((dyn(R"({"synchronous_mode": "Quorum"})").sync_mode == synchronous_mode::quorum));
    BOOST_TEST((dyn(R"({"synchronous_mode": "on"})").sync_mode == synchronous_mode::on));
    BOOST_TEST((dyn(R"({"synchronous_mode": "off"})").sync_mode == synchronous_mode::off));
    BOOST_TEST((dyn(R"({"synchronous_mode": false})").sync_mode == synchronous_mode::off));
    auto strict = dyn(R"({"synchronous_mode_strict": "1", "synchronous_node_count": 0})");
    BOOST_TEST(strict.synchronous_mode_strict);
    BOOST_TEST(strict.synchronous_node_count == 1);
}

BOOST_AUTO_TEST_CASE(legacy_master_keys_and_units)
{
    auto d = dyn(R"({"master_start_timeout": 60, "master_stop_timeout": "5", "member_slots_ttl": "2h"})");
    BOOST_TEST(d.primary_start_timeout == 60);
    BOOST_TEST(d.primary_stop_timeout == 5);
    BOOST_TEST(d.member_slots_ttl_s == 7200);
    auto both = dyn(R"({"master_start_timeout": 60, "primary_start_timeout": 70})");
    BOOST_TEST(both.primary_start_timeout == 70);
    BOOST_TEST(dyn(R"({"maximum_lag_on_failover": "lots"})").maximum_lag_on_failover == 1048576);
    BOOST_TEST(dyn(R"({"member_slots_ttl": "30min"})").member_slots_ttl_s == 1800);
}

BOOST_AUTO_TEST_CASE(first_non_empty_slots_key_wins)
{
    auto d = dyn(R"({"permanent_replication_slots": {}, "permanent_slots": {"a": null},
                     "slots": {"b": {"type": "logical", "database": "db", "plugin": "pgoutput"}}})");
    BOOST_TEST_REQUIRE(d.slots.size() == 1u);
    BOOST_TEST(d.slots[0].name == "a");
    BOOST_TEST(d.slots[0].type == "physical");
    auto l = dyn(R"({"slots": {"b": {"type": "logical", "database": "db", "plugin": "pgoutput"}},
                     "ignore_slots": [{"name": "x", "type": "logical"}]})");
    BOOST_TEST(l.slots.at(0).plugin == "pgoutput");
    BOOST_TEST(l.ignore_slots.at(0).name == "x");
}

BOOST_AUTO_TEST_CASE(standby_cluster_truthiness)
{
    BOOST_TEST(!dyn(R"({"standby_cluster": {"primary_slot_name": "s"}})").is_standby_cluster());
    BOOST_TEST(!dyn(R"({"standby_cluster": {"host": ""}})").is_standby_cluster());
    BOOST_TEST(dyn(R"({"standby_cluster": {"host": "10.0.0.1"}})").is_standby_cluster());
    BOOST_TEST(dyn(R"({"standby_cluster": {"port": 5433}})").is_standby_cluster());
    BOOST_TEST(dyn(R"({"standby_cluster": {"restore_command": "cp"}})").is_standby_cluster());
    BOOST_TEST(!dyn(R"({"standby_cluster": "yes"})").is_standby_cluster());
}

BOOST_AUTO_TEST_CASE(invalid_timeouts_reject_the_whole_config)
{
    config_error why;
    BOOST_TEST(!parse_dynamic(R"({"ttl": "30s"})", &why).has_value());
    BOOST_TEST(why.path == "ttl");
    BOOST_TEST(!parse_dynamic(R"({"loop_wait": null})").has_value());
    BOOST_TEST(dyn(R"({"retry_timeout": " 7 "})").retry_timeout == 7);
    BOOST_TEST(dyn(R"({"ttl": 25.9})").ttl == 25);
    BOOST_TEST((parse_dynamic("not json").error() == error::syntax));
    BOOST_TEST((parse_dynamic("[1]").error() == error::invalid_file));
}

BOOST_AUTO_TEST_CASE(encode_round_trips)
{
    auto d = dyn(R"({"ttl": 40, "loop_wait": 5, "retry_timeout": 12, "synchronous_mode": "quorum",
                     "synchronous_node_count": 2, "pause": true, "member_slots_ttl": 60,
                     "slots": {"s": {"type": "logical", "database": "d", "plugin": "p"}},
                     "ignore_slots": [{"name": "i"}], "standby_cluster": {"host": "h", "port": 5433},
                     "postgresql": {"use_pg_rewind": true, "use_slots": false, "parameters": {"a": 1, "b": "x"},
                                    "pg_hba": ["local all all trust"], "parameters_primary": {"c": true},
                                    "remove_data_directory_on_rewind_failure": true},
                     "custom": {"k": [1, 2]}})");
    auto again = parse_dynamic(encode_dynamic(d));
    BOOST_TEST_REQUIRE(again.has_value());
    BOOST_TEST((*again == d));
    BOOST_TEST(encode_dynamic(dynamic_config{}) ==
               R"({"ttl":30,"loop_wait":10,"retry_timeout":10,"maximum_lag_on_failover":1048576,)"
               R"("postgresql":{"use_slots":true,"parameters":{}}})");
}

BOOST_AUTO_TEST_CASE(timeout_rule_raises_minimums)
{
    dynamic_config d;
    d.ttl = 10;
    d.loop_wait = 0;
    d.retry_timeout = 1;
    auto w = adjust_timeouts(d);
    BOOST_TEST(d.ttl == 20);
    BOOST_TEST(d.loop_wait == 1);
    BOOST_TEST(d.retry_timeout == 3);
    BOOST_TEST_REQUIRE(w.size() == 3u);
    BOOST_TEST(w[0] == "loop_wait=0 can't be smaller than 1, adjusting...");
    BOOST_TEST(w[2] == "ttl=10 can't be smaller than 20, adjusting...");
}

BOOST_AUTO_TEST_CASE(timeout_rule_lowers_loop_wait_then_retry_timeout)
{
    dynamic_config d;
    d.ttl = 30;
    d.loop_wait = 15;
    d.retry_timeout = 10;
    auto w = adjust_timeouts(d);
    BOOST_TEST(d.loop_wait == 10);
    BOOST_TEST(d.retry_timeout == 10);
    BOOST_TEST_REQUIRE(w.size() == 1u);
    BOOST_TEST(w[0] == "Violated the rule \"loop_wait + 2*retry_timeout <= ttl\", where ttl=30 and "
                       "retry_timeout=10. Adjusting loop_wait from 15 to 10");
    d.ttl = 20;
    d.loop_wait = 5;
    d.retry_timeout = 15;
    w = adjust_timeouts(d);
    BOOST_TEST(d.loop_wait == 1);
    BOOST_TEST(d.retry_timeout == 9);
    BOOST_TEST(w.at(0) == "Violated the rule \"loop_wait + 2*retry_timeout <= ttl\", where ttl=20. Adjusting "
                          "loop_wait from 5 to 1 and retry_timeout from 15 to 9");
    dynamic_config ok;
    BOOST_TEST(adjust_timeouts(ok).empty());
}

BOOST_AUTO_TEST_CASE(merge_applies_forced_parameter_rules)
{
    auto l = local(R"(
name: n
scope: s
postgresql:
  listen: '*:5433'
  use_pg_rewind: false
  parameters: {max_connections: 500, work_mem: 4MB, shared_buffers: 1GB}
)");
    auto d = dyn(R"({"ttl": 30, "loop_wait": 25, "postgresql": {"use_pg_rewind": true, "use_slots": false,
                     "pg_hba": ["host all all all md5"], "pg_ctl_timeout": 30,
                     "parameters": {"max_connections": "200", "max_wal_senders": 1, "wal_level": "LOGICAL",
                                    "listen_addresses": "0.0.0.0", "work_mem": "1MB", "shared_buffers": "2GB",
                                    "wal_keep_size": "256MB"}}})");
    std::vector<std::string> w;
    auto e = merge_effective(l, d, &w);
    const auto& p = e.local.postgresql.parameters;
    BOOST_TEST(p.find("max_connections")->text == "200");   // the local value of a forced GUC is dropped
    BOOST_TEST((p.find("max_connections")->type == scalar::kind::integer));
    BOOST_TEST(p.find("max_wal_senders")->text == "10");    // invalid dynamic value -> default
    BOOST_TEST(p.find("wal_level")->text == "LOGICAL");
    BOOST_TEST(p.find("listen_addresses") == nullptr);
    BOOST_TEST(p.find("work_mem")->text == "4MB");          // local wins for other GUCs
    BOOST_TEST(p.find("shared_buffers")->text == "1GB");
    BOOST_TEST(p.find("hot_standby")->text == "on");        // forced default
    BOOST_TEST(p.find("wal_keep_size")->text == "256MB");
    BOOST_TEST(!e.use_pg_rewind());                         // local value replaces the dynamic one
    BOOST_TEST(!e.use_slots());                             // dynamic only
    BOOST_TEST(e.pg_ctl_timeout_s() == 30);
    BOOST_TEST(e.local.postgresql.pg_hba->at(0) == "host all all all md5");
    BOOST_TEST(e.dynamic.loop_wait == 10);
    BOOST_TEST(std::count(w.begin(), w.end(),
                          "postgresql parameter max_wal_senders=1 failed validation, defaulting to 10") == 1);
    BOOST_TEST(std::count(w.begin(), w.end(),
                          "postgresql parameter listen_addresses=0.0.0.0 failed validation, defaulting to None") == 1);
    BOOST_TEST(w.size() == 3u);   // + the timeout rule

    auto f = forced_parameters(e, 150004);
    BOOST_TEST(f.find("listen_addresses")->text == "*");
    BOOST_TEST(f.find("port")->text == "5433");
    BOOST_TEST(f.find("cluster_name")->text == "s");
    BOOST_TEST(f.find("wal_level")->text == "LOGICAL");
    BOOST_TEST(f.find("wal_keep_size")->text == "256MB");
    BOOST_TEST(f.find("wal_keep_segments") == nullptr);
    BOOST_TEST(f.items.front().first == "listen_addresses");
    auto old = forced_parameters(e, 120010);
    BOOST_TEST(old.find("wal_keep_segments")->text == "16");   // int((256 + 8) / 16)
    BOOST_TEST(old.find("wal_keep_size") == nullptr);
    BOOST_TEST(is_command_line_parameter("max_connections"));
    BOOST_TEST(!is_command_line_parameter("wal_keep_size"));
}

BOOST_AUTO_TEST_CASE(forced_wal_level_follows_the_version)
{
    effective_config e = merge_effective(local("name: n\nscope: s\npostgresql: {listen: '127.0.0.1:5432'}\n"),
                                         dynamic_config{});
    BOOST_TEST(forced_parameters(e, 150000).find("wal_level")->text == "replica");
    BOOST_TEST(forced_parameters(e, 90500).find("wal_level")->text == "hot_standby");
    BOOST_TEST(forced_parameters(e, 90500).find("max_replication_slots") != nullptr);
    BOOST_TEST(forced_parameters(e, 90300).find("max_replication_slots") == nullptr);   // newer than 9.3
    BOOST_TEST(forced_parameters(e, 150000).find("wal_keep_size")->text == "128MB");
    BOOST_TEST(forced_parameters(e, 120000).find("wal_keep_segments")->text == "8");
}

BOOST_AUTO_TEST_CASE(role_parameters_cannot_override_forced_ones)
{
    auto l = local("name: n\npostgresql:\n  parameters: {work_mem: 1MB}\n"
                   "  parameters_replica: {work_mem: 2MB, max_connections: 5}\n");
    auto e = merge_effective(l, dynamic_config{});
    std::vector<std::string> w;
    auto p = parameters_for_role(e, "demoted", &w);
    BOOST_TEST(p.find("work_mem")->text == "2MB");
    BOOST_TEST(p.find("max_connections")->text == "100");
    BOOST_TEST(w.at(0) == "Role-based config attempted to override protected parameter 'max_connections', ignoring");
    BOOST_TEST(parameters_for_role(e, "primary").find("work_mem")->text == "1MB");
}

BOOST_AUTO_TEST_CASE(bootstrap_dcs_is_a_dynamic_config)
{
    auto l = local("name: n\nbootstrap:\n  dcs:\n    ttl: 40\n    synchronous_mode: on\n"
                   "    postgresql: {remove_data_directory_on_rewind_failure: true}\n");
    auto d = dyn(l.bootstrap->dcs_json);
    BOOST_TEST(d.ttl == 40);
    BOOST_TEST((d.sync_mode == synchronous_mode::on));
    auto e = merge_effective(l, d);
    BOOST_TEST(e.local.postgresql.remove_data_directory_on_rewind_failure);
}

BOOST_AUTO_TEST_SUITE_END()

// The patroni.dynamic.json cache round-trips through a temporary data
// directory, written with Patroni's permissions.
BOOST_AUTO_TEST_SUITE(config_dynamic_cache)

BOOST_AUTO_TEST_CASE(cache_round_trip_and_permissions)
{
    pgwarden::test::temp_dir dir("pgwarden-cache");
    BOOST_TEST((load_dynamic_cache(dir.path()).error() == error::not_found));
    ::chmod(dir.path().c_str(), 0750);
    dynamic_config d;
    d.ttl = 45;
    d.pause = true;
    BOOST_TEST_REQUIRE(save_dynamic_cache(dir.path(), d).has_value());
    auto back = load_dynamic_cache(dir.path());
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST((*back == d));
    struct stat st{};
    BOOST_TEST_REQUIRE(::stat((dir / "patroni.dynamic.json").c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0640u);
    ::chmod(dir.path().c_str(), 0700);
    BOOST_TEST_REQUIRE(save_dynamic_cache(dir.path(), d).has_value());
    BOOST_TEST_REQUIRE(::stat((dir / "patroni.dynamic.json").c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    std::size_t files = 0;
    for (auto& e : std::filesystem::directory_iterator(dir.path()))
        files += e.is_regular_file() ? 1 : 0;
    BOOST_TEST(files == 1u);   // no temporary left behind
    BOOST_TEST((save_dynamic_cache("/nonexistent/dir", d).error() == error::io));
}

BOOST_AUTO_TEST_SUITE_END()
