// Goal: pgwardenctl prints exactly what patronictl 4.1 prints for the
// member table, the history table and their json / yaml / tsv forms
// (ctl.md 4, 6.1, 6.2, 6.7).
// Method: feed cluster_as_json documents (rest-api.md 6.3) and history
// arrays to the pure formatting functions of apps/pgwardenctl/format.hpp and
// compare the whole text with the spec's examples, or with text derived
// from the spec's rules (column order, alignment, rounding, title line).
#include "format.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace pgwarden::ctl;
namespace json = boost::json;

namespace {

const char* const spec_cluster = R"({"members": [
 {"name": "pg0", "role": "leader", "state": "running", "api_url": "http://127.0.0.1:8008/patroni",
  "host": "127.0.0.1", "port": 5432, "timeline": 3},
 {"name": "pg1", "role": "sync_standby", "state": "streaming", "api_url": "http://127.0.0.1:8009/patroni",
  "host": "127.0.0.1", "port": 5433, "timeline": 3, "pending_restart": true,
  "pending_restart_reason": {"max_connections": {"old_value": "100", "new_value": "200"}},
  "scheduled_restart": {"schedule": "2030-01-01T10:00:00+00:00", "postgres_version": "17.0"},
  "tags": {"nofailover": true, "x": 1.5},
  "receive_lag": 100, "receive_lsn": "0/3FFDD60", "replay_lag": 1148000, "replay_lsn": "0/3EF1480",
  "lag": 100, "lsn": "0/3FFDD60"},
 {"name": "pg2", "role": "replica", "state": "stopped", "api_url": "http://127.0.0.1:8010/patroni",
  "host": "127.0.0.1", "port": 5434, "receive_lsn": "unknown", "receive_lag": "unknown",
  "replay_lsn": "unknown", "replay_lag": "unknown", "lsn": "unknown", "lag": "unknown"}],
 "pause": true,
 "scheduled_switchover": {"at": "2030-01-01T12:00:00+00:00", "from": "pg0", "to": "pg1"},
 "scope": "batman"})";

json::object doc(const char* text) { return json::parse(text).as_object(); }

} // namespace

BOOST_AUTO_TEST_CASE(list_extended_pretty_matches_the_spec_example)
{
    const std::string expected =
        "+ Cluster: batman (7277694203142172922) -+-----------+----+-------------+-----+------------+-----+-----------------+---------------------------+---------------------------------------------+------------------+\n"
        "| Member | Host           | Role         | State     | TL | Receive LSN | Lag | Replay LSN | Lag | Pending restart | Pending restart reason    | Scheduled restart                           | Tags             |\n"
        "+--------+----------------+--------------+-----------+----+-------------+-----+------------+-----+-----------------+---------------------------+---------------------------------------------+------------------+\n"
        "| pg0    | 127.0.0.1:5432 | Leader       | running   |  3 |             |     |            |     |                 |                           |                                             |                  |\n"
        "+--------+----------------+--------------+-----------+----+-------------+-----+------------+-----+-----------------+---------------------------+---------------------------------------------+------------------+\n"
        "| pg1    | 127.0.0.1:5433 | Sync Standby | streaming |  3 |   0/3FFDD60 |   0 |  0/3EF1480 |   1 | *               | max_connections: 100->200 | 2030-01-01T10:00:00+00:00 if version < 17.0 | nofailover: true |\n"
        "|        |                |              |           |    |             |     |            |     |                 |                           |                                             | x: 1.5           |\n"
        "+--------+----------------+--------------+-----------+----+-------------+-----+------------+-----+-----------------+---------------------------+---------------------------------------------+------------------+\n"
        "| pg2    | 127.0.0.1:5434 | Replica      | stopped   |    |     unknown |     |    unknown |     |                 |                           |                                             |                  |\n"
        "+--------+----------------+--------------+-----------+----+-------------+-----+------------+-----+-----------------+---------------------------+---------------------------------------------+------------------+\n"
        " Maintenance mode: on\n"
        " Switchover scheduled at: 2030-01-01T12:00:00+00:00\n"
        "                    from: pg0\n"
        "                      to: pg1\n";
    BOOST_TEST(format_members(doc(spec_cluster), "batman", std::string("7277694203142172922"), true,
                              output_format::pretty) == expected);
}

BOOST_AUTO_TEST_CASE(plain_list_hides_empty_optional_columns_and_default_port)
{
    const char* c = R"({"members": [
      {"name": "a", "role": "leader", "state": "running", "host": "10.0.0.1", "port": 5432, "timeline": 1},
      {"name": "b", "role": "replica", "state": "streaming", "host": "10.0.0.2", "port": 5432, "timeline": 1,
       "receive_lsn": "0/5000060", "receive_lag": 0, "replay_lsn": "0/5000060", "replay_lag": 2621440}]})";
    const std::string expected =
        "+ Cluster: pgw (uninitialized) -----------+----+-------------+-----+------------+-----+\n"
        "| Member | Host     | Role    | State     | TL | Receive LSN | Lag | Replay LSN | Lag |\n"
        "+--------+----------+---------+-----------+----+-------------+-----+------------+-----+\n"
        "| a      | 10.0.0.1 | Leader  | running   |  1 |             |     |            |     |\n"
        "| b      | 10.0.0.2 | Replica | streaming |  1 |   0/5000060 |   0 |  0/5000060 |   2 |\n"
        "+--------+----------+---------+-----------+----+-------------+-----+------------+-----+\n";
    // 2621440 bytes = 2.5 MiB rounds half-to-even to 2, as Python's round().
    BOOST_TEST(format_members(doc(c), "pgw", std::nullopt, false, output_format::pretty) == expected);
}

BOOST_AUTO_TEST_CASE(title_says_initializing_and_is_cut_to_the_border)
{
    const char* c = R"({"members": []})";
    const std::string out = format_members(doc(c), "a-rather-long-cluster-name-here", std::string(""), false,
                                           output_format::pretty);
    // The title overwrites the border from its second character on.
    const std::string first = out.substr(0, out.find('\n'));
    BOOST_TEST(first == "+ Cluster: a-rather-long-cluster-name-here (initializing) -----------+-----+");
    BOOST_TEST(out.find("| Member | Host | Role | State | TL | Receive LSN | Lag | Replay LSN | Lag |") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_drops_empty_cells_and_keeps_types)
{
    const char* c = R"({"members": [
      {"name": "a", "role": "leader", "state": "running", "host": "h", "port": 5432, "timeline": 2,
       "tags": {"nosync": true}},
      {"name": "b", "role": "replica", "state": "streaming", "host": "h2", "port": 5432,
       "receive_lsn": "unknown", "receive_lag": "unknown", "replay_lsn": "0/10", "replay_lag": 0}]})";
    BOOST_TEST(format_members(doc(c), "pgw", std::string("1"), false, output_format::json) ==
               R"([{"Cluster": "pgw", "Member": "a", "Host": "h", "Role": "Leader", "State": "running", "TL": 2, )"
               R"("Tags": {"nosync": true}}, {"Cluster": "pgw", "Member": "b", "Host": "h2", "Role": "Replica", )"
               R"("State": "streaming", "Receive LSN": "unknown", "Replay LSN": "0/10", "Replay Lag": 0}])"
               "\n");
}

BOOST_AUTO_TEST_CASE(yaml_is_block_style_sorted_with_a_blank_line)
{
    const char* c = R"({"members": [
      {"name": "a", "role": "leader", "state": "running", "host": "h", "port": 5432, "timeline": 2,
       "pending_restart": true}]})";
    BOOST_TEST(format_members(doc(c), "pgw", std::string("1"), false, output_format::yaml) ==
               "- Cluster: pgw\n"
               "  Host: h\n"
               "  Member: a\n"
               "  Pending restart: '*'\n"
               "  Role: Leader\n"
               "  State: running\n"
               "  TL: 2\n"
               "\n");
}

BOOST_AUTO_TEST_CASE(tsv_prints_every_column_and_flow_tags)
{
    const char* c = R"({"members": [
      {"name": "a", "role": "leader", "state": "running", "host": "h", "port": 5432, "timeline": 2,
       "tags": {"x": 1, "a": "b c"}}]})";
    BOOST_TEST(format_members(doc(c), "pgw", std::string("1"), false, output_format::tsv) ==
               "Cluster\tMember\tHost\tRole\tState\tTL\tReceive LSN\tReceive Lag\tReplay LSN\tReplay Lag\tTags\n"
               "pgw\ta\th\tLeader\trunning\t2\t\t\t\t\t{a: b c, x: 1}\n");
}

BOOST_AUTO_TEST_CASE(topology_orders_by_replicatefrom_and_indents)
{
    const char* c = R"({"members": [
      {"name": "a", "role": "replica", "state": "streaming", "host": "h1", "port": 5432,
       "tags": {"replicatefrom": "c"}},
      {"name": "b", "role": "leader", "state": "running", "host": "h2", "port": 5432},
      {"name": "c", "role": "replica", "state": "streaming", "host": "h3", "port": 5432}]})";
    const std::string out = format_members(doc(c), "pgw", std::string("1"), false, output_format::topology);
    const auto pos_b = out.find("| b ");
    const auto pos_c = out.find("| + c ");
    const auto pos_a = out.find("|   + a ");
    BOOST_TEST(pos_b != std::string::npos);
    BOOST_TEST(pos_c != std::string::npos);
    BOOST_TEST(pos_a != std::string::npos);
    BOOST_TEST((pos_b < pos_c && pos_c < pos_a));
    BOOST_TEST(out.find("{replicatefrom: c}") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(history_pretty_pads_short_lines_and_right_aligns)
{
    auto h = json::parse(R"([[1, 25165984, "no recovery target specified", "2023-09-11T22:11:27.125527+00:00", "pg1"],
                              [2, 50331808, "no recovery target specified"]])");
    BOOST_TEST(format_history(&h, output_format::pretty) ==
               "+----+----------+------------------------------+----------------------------------+------------+\n"
               "| TL |      LSN | Reason                       | Timestamp                        | New Leader |\n"
               "+----+----------+------------------------------+----------------------------------+------------+\n"
               "|  1 | 25165984 | no recovery target specified | 2023-09-11T22:11:27.125527+00:00 | pg1        |\n"
               "|  2 | 50331808 | no recovery target specified |                                  |            |\n"
               "+----+----------+------------------------------+----------------------------------+------------+\n");
    BOOST_TEST(format_history(&h, output_format::json) ==
               R"([{"TL": 1, "LSN": 25165984, "Reason": "no recovery target specified", )"
               R"("Timestamp": "2023-09-11T22:11:27.125527+00:00", "New Leader": "pg1"}, )"
               R"({"TL": 2, "LSN": 50331808, "Reason": "no recovery target specified", "Timestamp": "", "New Leader": ""}])"
               "\n");
}

BOOST_AUTO_TEST_CASE(empty_history_prints_the_header_only)
{
    BOOST_TEST(format_history(nullptr, output_format::pretty) ==
               "+----+-----+--------+-----------+------------+\n"
               "| TL | LSN | Reason | Timestamp | New Leader |\n"
               "+----+-----+--------+-----------+------------+\n"
               "+----+-----+--------+-----------+------------+\n");
    BOOST_TEST(format_history(nullptr, output_format::json) == "[]\n");
}

BOOST_AUTO_TEST_CASE(formats_parse_as_patronictl_choices)
{
    BOOST_TEST((parse_format("yml") == output_format::yaml));
    BOOST_TEST((parse_format("pretty") == output_format::pretty));
    BOOST_TEST(!parse_format("xml").has_value());
    BOOST_TEST(yaml_flow(json::parse(R"({"b": true, "a": "*"})")) == "{a: '*', b: true}");
}

BOOST_AUTO_TEST_CASE(yaml_quotes_timestamps_and_nests_tags_like_pyyaml)
{
    auto h = json::parse(R"([[1, 83886416, "no recovery target specified", "2026-11-26T06:25:31.389391+00:00", "node2"]])");
    BOOST_TEST(format_history(&h, output_format::yaml) ==
               "- LSN: 83886416\n"
               "  New Leader: node2\n"
               "  Reason: no recovery target specified\n"
               "  TL: 1\n"
               "  Timestamp: '2026-11-26T06:25:31.389391+00:00'\n"
               "\n");
    const char* c = R"({"members": [
      {"name": "a", "role": "leader", "state": "running", "host": "h", "port": 5432, "timeline": 2,
       "tags": {"x": 1.5, "nofailover": true}}]})";
    BOOST_TEST(format_members(doc(c), "pgw", std::string("1"), false, output_format::yaml) ==
               "- Cluster: pgw\n"
               "  Host: h\n"
               "  Member: a\n"
               "  Role: Leader\n"
               "  State: running\n"
               "  TL: 2\n"
               "  Tags:\n"
               "    nofailover: true\n"
               "    x: 1.5\n"
               "\n");
}

// Expected diffs produced by Python's difflib.unified_diff through
// patronictl's show_diff (listify + rstrip of each line).
BOOST_AUTO_TEST_CASE(unified_diff_matches_difflib)
{
    const std::string before = "loop_wait: 10\nmaximum_lag_on_failover: 1048576\npostgresql:\n  parameters:\n"
                               "    max_connections: 100\n  use_pg_rewind: true\nretry_timeout: 10\nttl: 30\n";
    const std::string after = "loop_wait: 10\nmaximum_lag_on_failover: 1048576\npostgresql:\n  parameters:\n"
                              "    max_connections: 200\n    pg_stat_statements.max: 5000\n  use_pg_rewind: true\n"
                              "retry_timeout: 10\nttl: 30\n";
    const std::vector<std::string> expected = {"--- ", "+++ ", "@@ -2,7 +2,8 @@", " maximum_lag_on_failover: 1048576",
                                               " postgresql:", "   parameters:", "-    max_connections: 100",
                                               "+    max_connections: 200", "+    pg_stat_statements.max: 5000",
                                               "   use_pg_rewind: true", " retry_timeout: 10", " ttl: 30"};
    BOOST_TEST(unified_diff(before, after) == expected, boost::test_tools::per_element());

    const std::string b2 = "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: 7\nh: 8\ni: 9\nj: 10\n";
    const std::string a2 = "a: 0\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: 7\nh: 8\ni: 9\nj: 11\nk: 12\n";
    const std::vector<std::string> expected2 = {"--- ", "+++ ", "@@ -1,4 +1,4 @@", "-a: 1", "+a: 0", " b: 2",
                                                " c: 3", " d: 4", "@@ -7,4 +7,5 @@", " g: 7", " h: 8", " i: 9",
                                                "-j: 10", "+j: 11", "+k: 12"};
    BOOST_TEST(unified_diff(b2, a2) == expected2, boost::test_tools::per_element());
    BOOST_TEST(unified_diff(b2, b2).empty());
}

BOOST_AUTO_TEST_CASE(set_path_value_follows_apply_config_changes)
{
    auto cfg = json::parse(R"({"ttl": 30, "postgresql": {"parameters": {"max_connections": 100}}})").as_object();
    set_path_value(cfg, "postgresql.parameters.pg_stat_statements.max", json::value(5000));
    set_path_value(cfg, "loop_wait", json::value(5));
    set_path_value(cfg, "a.b.c", json::value("x"));
    BOOST_TEST(json::serialize(cfg) ==
               R"({"ttl":30,"postgresql":{"parameters":{"max_connections":100,"pg_stat_statements.max":5000}},)"
               R"("loop_wait":5,"a":{"b":{"c":"x"}}})");
    // null removes, and maps left empty go too.
    set_path_value(cfg, "a.b.c", json::value(nullptr));
    set_path_value(cfg, "postgresql.parameters.max_connections", json::value(nullptr));
    set_path_value(cfg, "postgresql.parameters.pg_stat_statements.max", json::value(nullptr));
    BOOST_TEST(json::serialize(cfg) == R"({"ttl":30,"loop_wait":5})");
}
