// Goal: the DCS codecs read everything Patroni 3.0.2 and 4.1 write, exactly
// as leniently as Patroni's readers do (dcs.md 2.10), and write byte for byte
// what Patroni 4.1 writes.
// Method: round-trip every fixture (captured 3.0.2 values and the spec's 4.1
// wire forms), then one case per leniency rule and per error path, checking
// that strict errors name the key and the field; finally every prefix of
// every fixture is fed to every decoder, which must answer a value or an
// error and never throw or crash.
#include "fixtures.hpp"

#include <pgwarden/dcs/codec.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace dcs = pgwarden::dcs;
using pgwarden::lsn;
using pgwarden::test::fixture;

namespace {

bool contains(const std::string& text, std::string_view part)
{
    return text.find(part) != std::string::npos;
}

// Replaces the first `from` in `text` with `to`.
std::string replaced(std::string text, std::string_view from, std::string_view to)
{
    auto at = text.find(from);
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

} // namespace

BOOST_AUTO_TEST_SUITE(dcs_codec)

// ------------------------------------------------------------- round trips

BOOST_AUTO_TEST_CASE(patroni_41_fixtures_round_trip_byte_for_byte)
{
    const std::string set = "patroni-4.1";
    for (const char* name : {"members/node1", "members/node2"}) {
        auto text = fixture(set, name);
        BOOST_REQUIRE(!text.empty());
        auto m = dcs::decode_member(name, text);
        BOOST_REQUIRE_MESSAGE(m, name);
        BOOST_TEST(dcs::encode_member(*m) == text);
    }
    auto sync = dcs::decode_sync("sync", fixture(set, "sync"));
    BOOST_REQUIRE(sync);
    BOOST_TEST(dcs::encode_sync(*sync) == fixture(set, "sync"));
    auto failover = dcs::decode_failover("failover", fixture(set, "failover"));
    BOOST_REQUIRE(failover);
    BOOST_TEST(dcs::encode_failover(*failover) == fixture(set, "failover"));
    auto history = dcs::decode_history("history", fixture(set, "history"));
    BOOST_REQUIRE(history);
    BOOST_TEST(dcs::encode_history(*history) == fixture(set, "history"));
    auto status = dcs::decode_status("status", fixture(set, "status"));
    BOOST_REQUIRE(status);
    BOOST_TEST(dcs::encode_status(*status) == fixture(set, "status"));
    auto failsafe = dcs::decode_failsafe("failsafe", fixture(set, "failsafe"));
    BOOST_REQUIRE(failsafe);
    BOOST_TEST(dcs::encode_failsafe(*failsafe) == fixture(set, "failsafe"));
    auto config = dcs::decode_config("config", fixture(set, "config"));
    BOOST_REQUIRE(config);
    BOOST_TEST(config->json == fixture(set, "config"));
}

BOOST_AUTO_TEST_CASE(patroni_41_member_fields_are_decoded)
{
    auto m = dcs::decode_member("members/node2", fixture("patroni-4.1", "members/node2"));
    BOOST_REQUIRE(m);
    BOOST_TEST(m->role == "replica");
    BOOST_TEST(m->replay_lsn->value == 50331744u);
    BOOST_TEST(m->receive_lsn->value == 50331800u);
    BOOST_TEST(*m->replication_state == "streaming");
    BOOST_TEST(*m->timeline == 2);
    BOOST_REQUIRE(m->pending_restart_reasons.size() == 1u);
    BOOST_TEST(m->pending_restart_reasons[0].name == "max_connections");
    BOOST_TEST(m->pending_restart_reasons[0].old_value == "100");
    BOOST_TEST(m->pending_restart_reasons[0].new_value == "101");
    auto tags = dcs::interpret_tags(m->tags);
    BOOST_TEST(!tags.nofailover);   // nofailover present (false) wins over failover_priority 0
    BOOST_TEST(tags.failover_priority == 0);
}

BOOST_AUTO_TEST_CASE(patroni_302_fixtures_encode_to_the_41_form)
{
    const std::string set = "patroni-3.0.2";
    // node2 is the 3.0.2 primary: written as "master", read and re-written as "primary".
    auto node2_text = fixture(set, "members/node2");
    BOOST_REQUIRE(contains(node2_text, "\"role\":\"master\""));
    auto node2 = dcs::decode_member("members/node2", node2_text);
    BOOST_REQUIRE(node2);
    BOOST_TEST(node2->role == "primary");
    BOOST_TEST(dcs::encode_member(*node2) == replaced(node2_text, "\"master\"", "\"primary\""));
    auto tags = dcs::interpret_tags(node2->tags);
    BOOST_TEST(*tags.replicatefrom == "node1");
    BOOST_TEST(!tags.nofailover);
    BOOST_TEST(tags.failover_priority == 1);

    auto node1_text = fixture(set, "members/node1");
    auto node1 = dcs::decode_member("members/node1", node1_text);
    BOOST_REQUIRE(node1);
    BOOST_TEST(node1->role == "replica");
    BOOST_TEST(node1->scheduled_restart.has_value());
    BOOST_TEST(dcs::encode_member(*node1) == node1_text);

    // 3.0.2 has no `quorum`: it reads as 0 and 4.1 writes it.
    auto sync_text = fixture(set, "sync");
    auto sync = dcs::decode_sync("sync", sync_text);
    BOOST_REQUIRE(sync);
    BOOST_TEST(sync->quorum == 0);
    BOOST_TEST(dcs::encode_sync(*sync) == replaced(sync_text, ",\"sync_standby\"", ",\"quorum\":0,\"sync_standby\""));

    for (const char* name : {"failover", "history", "status", "failsafe"}) {
        const auto text = fixture(set, name);
        std::string out;
        if (std::string_view(name) == "failover") out = dcs::encode_failover(dcs::decode_failover(name, text).value());
        if (std::string_view(name) == "history") out = dcs::encode_history(dcs::decode_history(name, text).value());
        if (std::string_view(name) == "status") out = dcs::encode_status(dcs::decode_status(name, text).value());
        if (std::string_view(name) == "failsafe") out = dcs::encode_failsafe(dcs::decode_failsafe(name, text).value());
        BOOST_TEST(out == text, name);
    }
    // patronictl wrote `config` with Python's default separators; it stays raw.
    auto config = dcs::decode_config("config", fixture(set, "config"));
    BOOST_REQUIRE(config);
    BOOST_TEST(config->json == fixture(set, "config"));
    BOOST_TEST(dcs::is_valid_sysid(fixture(set, "initialize")));
}

// ------------------------------------------------------------- members

BOOST_AUTO_TEST_CASE(member_legacy_url_form)
{
    auto m = dcs::decode_member(
        "members/old", "postgres://replicator:secret@10.0.0.5:5432/postgres?application_name=http%3A//10.0.0.5:8008/patroni");
    BOOST_REQUIRE(m);
    BOOST_TEST(m->conn_url == "postgres://replicator:secret@10.0.0.5:5432/postgres");
    BOOST_TEST(m->api_url == "http://10.0.0.5:8008/patroni");
    BOOST_TEST(m->state == "unknown");
    auto no_query = dcs::parse_legacy_member_url("postgresql://h:1/db");
    BOOST_REQUIRE(no_query);
    BOOST_TEST(no_query->first == "postgresql://h:1/db");
    BOOST_TEST(no_query->second == "");
    BOOST_TEST(!dcs::parse_legacy_member_url("{\"conn_url\":\"postgres://x\"}"));
}

BOOST_AUTO_TEST_CASE(member_numbers_as_strings_and_lsn_text)
{
    auto m = dcs::decode_member("members/a", R"({"xlog_location":"18446744073709551615","timeline":"3",)"
                                             R"("replay_lsn":"0/3000060","receive_lsn":9223372036854775808})");
    // 2^64-1 as a decimal string does not fit int64: rejected with the field named.
    BOOST_TEST(!m);
    m = dcs::decode_member("members/a", R"({"xlog_location":"50331744","timeline":"3",)"
                                        R"("replay_lsn":"0/3000060","receive_lsn":9223372036854775808})");
    BOOST_REQUIRE(m);
    BOOST_TEST(m->xlog_location->value == 50331744u);
    BOOST_TEST(*m->timeline == 3);
    BOOST_TEST(m->replay_lsn->value == 50331744u);
    BOOST_TEST(m->receive_lsn->value == 9223372036854775808ull);
}

BOOST_AUTO_TEST_CASE(member_missing_and_unknown_fields)
{
    auto m = dcs::decode_member("members/a", R"({"conn_url":"postgres://h:5432/postgres","custom":[1,{"b":null}],"x":"é"})");
    BOOST_REQUIRE(m);
    BOOST_TEST(m->state == "unknown");
    BOOST_TEST(m->role.empty());
    BOOST_TEST(!m->xlog_location);
    BOOST_REQUIRE(m->extra.size() == 2u);
    BOOST_TEST(m->extra[0].first == "custom");
    BOOST_TEST(m->extra[0].second == R"([1,{"b":null}])");
    BOOST_TEST(m->extra[1].second == R"("\u00e9")");
    // null fields read as absent
    m = dcs::decode_member("members/a", R"({"timeline":null,"proxy_url":null,"tags":null})");
    BOOST_REQUIRE(m);
    BOOST_TEST(!m->timeline);
    BOOST_TEST(!m->proxy_url);
}

BOOST_AUTO_TEST_CASE(member_lenient_rules)
{
    dcs::codec_warnings w;
    // Not JSON, not an object, empty: data {} (state unknown), with a warning.
    for (const char* bad : {"{", "[1,2]", "\"x\"", "", "42"}) {
        w.clear();
        auto m = dcs::read_member("members/a", bad, w);
        BOOST_TEST(m.state == "unknown", bad);
        BOOST_TEST(m.conn_url.empty());
        BOOST_TEST(w.size() == 1u, bad);
        BOOST_TEST(contains(w.at(0), "members/a"));
    }
    // A bad field is dropped; the others stay.
    w.clear();
    auto m = dcs::read_member("members/a", R"({"conn_url":"postgres://h:1/p","timeline":"x","xlog_location":-5,)"
                                           R"("role":7,"state":"running","pause":1})", w);
    BOOST_TEST(m.conn_url == "postgres://h:1/p");
    BOOST_TEST(m.state == "running");
    BOOST_TEST(!m.timeline);
    BOOST_TEST(!m.xlog_location);
    BOOST_TEST(m.role.empty());
    BOOST_TEST(m.pause);   // truthiness of 1, with a warning
    BOOST_TEST(w.size() == 4u);
}

BOOST_AUTO_TEST_CASE(member_errors_name_key_and_field)
{
    std::string why;
    auto m = dcs::decode_member("members/node1", R"({"timeline":"two"})", &why);
    BOOST_REQUIRE(!m);
    BOOST_TEST((m.error() == pgwarden::condition::invalid_response));
    BOOST_TEST((m.error() == dcs::codec_error::invalid_value));
    BOOST_TEST(contains(why, "members/node1"));
    BOOST_TEST(contains(why, "'timeline'"));

    m = dcs::decode_member("members/node1", R"({"timeline":[]})", &why);
    BOOST_REQUIRE(!m);
    BOOST_TEST((m.error() == dcs::codec_error::wrong_type));
    BOOST_TEST(why == "members/node1: field 'timeline': expected integer, got array");

    m = dcs::decode_member("members/node1", R"({"state":1})", &why);
    BOOST_TEST(why == "members/node1: field 'state': expected string, got integer");
    m = dcs::decode_member("members/node1", R"({"tags":"x"})", &why);
    BOOST_TEST(why == "members/node1: field 'tags': expected object, got string");
    m = dcs::decode_member("members/node1", R"({"pending_restart_reason":{"a":1}})", &why);
    BOOST_TEST(contains(why, "'pending_restart_reason.a'"));
    m = dcs::decode_member("members/node1", R"({"pause":"yes"})", &why);
    BOOST_TEST(contains(why, "'pause': expected boolean"));
    m = dcs::decode_member("members/node1", R"({"xlog_location":-1})", &why);
    BOOST_TEST(contains(why, "'xlog_location'"));
    m = dcs::decode_member("members/node1", "{\"a\":", &why);
    BOOST_REQUIRE(!m);
    BOOST_TEST((m.error() == dcs::codec_error::invalid_json));
    BOOST_TEST(contains(why, "members/node1: invalid JSON"));
    m = dcs::decode_member("members/node1", "[]", &why);
    BOOST_TEST(why == "members/node1: expected object, got array");
}

BOOST_AUTO_TEST_CASE(member_encoder_writes_patroni_order_and_omits_empty)
{
    dcs::member_data m;
    m.conn_url = "postgres://127.0.0.1:5432/postgres";
    m.api_url = "http://127.0.0.1:8008/patroni";
    m.state = "running";
    m.role = "master";
    m.version = "4.1.4";
    BOOST_TEST(dcs::encode_member(m) ==
               R"({"conn_url":"postgres://127.0.0.1:5432/postgres","api_url":"http://127.0.0.1:8008/patroni",)"
               R"("state":"running","role":"primary","version":"4.1.4"})");
    m.proxy_url = "postgres://proxy:5433/postgres";
    m.checkpoint_after_promote = false;
    m.tags = {{"nosync", "true"}, {"sync_priority", "0"}};
    m.pending_restart = true;
    m.xlog_location = lsn{100};
    m.replay_lsn = lsn{90};
    m.receive_lsn = lsn{95};
    m.replication_state = "streaming";
    m.timeline = 4;
    m.scheduled_restart = R"({"schedule":"2099-01-01T00:00:00+00:00","postmaster_start_time":"x"})";
    m.pause = true;
    m.extra = {{"ignored", "1"}};
    m.tags.emplace_back("zone", "not json");
    m.tags.emplace_back("rack", "{ \"n\" : 1 }");
    BOOST_TEST(dcs::encode_member(m) ==
               R"({"conn_url":"postgres://127.0.0.1:5432/postgres","api_url":"http://127.0.0.1:8008/patroni",)"
               R"("state":"running","role":"primary","version":"4.1.4","proxy_url":"postgres://proxy:5433/postgres",)"
               R"("checkpoint_after_promote":false,"tags":{"nosync":true,"sync_priority":0,"zone":"not json","rack":{"n":1}},)"
               R"("pending_restart":true,)"
               R"("xlog_location":100,"replay_lsn":90,"receive_lsn":95,"replication_state":"streaming","timeline":4,)"
               R"("scheduled_restart":{"schedule":"2099-01-01T00:00:00+00:00","postmaster_start_time":"x"},"pause":true})");
}

// ------------------------------------------------------------- sync

BOOST_AUTO_TEST_CASE(sync_forms)
{
    auto s = dcs::decode_sync("sync", R"({"leader":"a","quorum":"2","sync_standby":" c, b ,,a "})");
    BOOST_REQUIRE(s);
    BOOST_TEST(s->quorum == 2);
    BOOST_TEST((s->sync_standby == std::vector<std::string>{"c", "b", "a"}));
    BOOST_TEST(dcs::encode_sync(*s) == R"({"leader":"a","quorum":2,"sync_standby":"a,b,c"})");
    s = dcs::decode_sync("sync", R"({"leader":"a","sync_standby":null})");
    BOOST_REQUIRE(s);
    BOOST_TEST(dcs::encode_sync(*s) == R"({"leader":"a","quorum":0,"sync_standby":null})");
    // empty leader: empty state; writes null, never ""
    s = dcs::decode_sync("sync", R"({"leader":"","quorum":3,"sync_standby":"b"})");
    BOOST_REQUIRE(s);
    BOOST_TEST(s->empty());
    BOOST_TEST(s->quorum == 0);
    BOOST_TEST(dcs::encode_sync(dcs::sync_record{}) == R"({"leader":null,"quorum":0,"sync_standby":null})");
}

BOOST_AUTO_TEST_CASE(sync_lenient_and_errors)
{
    dcs::codec_warnings w;
    for (const char* bad : {"", "nope", "[]", R"({"leader":1})", R"({"leader":"a","quorum":"x"})",
                            R"({"leader":"a","quorum":[1]})"}) {
        w.clear();
        auto s = dcs::read_sync("sync", bad, w);
        BOOST_TEST(s.empty(), bad);
        BOOST_TEST(!w.empty(), bad);
    }
    std::string why;
    auto s = dcs::decode_sync("sync", R"({"leader":"a","quorum":"x"})", &why);
    BOOST_REQUIRE(!s);
    BOOST_TEST(why == "sync: field 'quorum': not an integer: \"x\"");
    s = dcs::decode_sync("sync", R"({"leader":"a","sync_standby":["b"]})", &why);
    BOOST_REQUIRE(!s);
    BOOST_TEST(why == "sync: field 'sync_standby': expected string, got array");
}

// ------------------------------------------------------------- failover

BOOST_AUTO_TEST_CASE(failover_every_accepted_form)
{
    auto f = dcs::decode_failover("failover", " node1 : node2 ");
    BOOST_REQUIRE(f);
    BOOST_TEST(f->leader == "node1");
    BOOST_TEST(f->member == "node2");
    f = dcs::decode_failover("failover", "node1");
    BOOST_REQUIRE(f);
    BOOST_TEST(f->leader == "node1");
    BOOST_TEST(f->member.empty());
    f = dcs::decode_failover("failover", "a:b:c");
    BOOST_TEST(f->member == "b");
    for (const char* empty : {"", "{}", "[]", "42", "\"node1\"", "null", "true"}) {
        f = dcs::decode_failover("failover", empty);
        BOOST_REQUIRE(f);
        BOOST_TEST(f->empty(), empty);
        BOOST_TEST(!f->scheduled_at);
    }
    f = dcs::decode_failover("failover", R"({"member":"node2"})");
    BOOST_REQUIRE(f);
    BOOST_TEST(dcs::encode_failover(*f) == R"({"member":"node2"})");
    BOOST_TEST(dcs::encode_failover(dcs::failover_record{}) == "{}");
    dcs::failover_record only_time;
    only_time.scheduled_at = "2024-05-01T10:00:00+00:00";
    only_time.leader = "a";
    BOOST_TEST(dcs::encode_failover(only_time) == R"({"leader":"a","scheduled_at":"2024-05-01T10:00:00+00:00"})");

    std::string why;
    f = dcs::decode_failover("failover", R"({"leader":5})", &why);
    BOOST_REQUIRE(!f);
    BOOST_TEST(why == "failover: field 'leader': expected string, got integer");
    dcs::codec_warnings w;
    auto lenient = dcs::read_failover("failover", R"({"leader":5,"member":"b"})", w);
    BOOST_TEST(lenient.member == "b");
    BOOST_TEST(lenient.leader.empty());
    BOOST_TEST(w.size() == 1u);
}

// ------------------------------------------------------------- history

BOOST_AUTO_TEST_CASE(history_line_lengths_and_timeline)
{
    auto h = dcs::decode_history("history", R"([[1,100,"r"],[2,200,"r2","2024-01-01T00:00:00+00:00"],)"
                                             R"([3,"300","r3","t","node3"]])");
    BOOST_REQUIRE(h);
    BOOST_REQUIRE(h->lines.size() == 3u);
    BOOST_TEST(!h->lines[0].timestamp);
    BOOST_TEST(*h->lines[1].timestamp == "2024-01-01T00:00:00+00:00");
    BOOST_TEST(!h->lines[1].new_leader);
    BOOST_TEST(*h->lines[2].new_leader == "node3");
    BOOST_TEST(h->lines[2].switch_lsn.value == 300u);
    BOOST_TEST(dcs::encode_history(*h) ==
               R"([[1,100,"r"],[2,200,"r2","2024-01-01T00:00:00+00:00"],[3,300,"r3","t","node3"]])");
    dcs::cluster_snapshot snap;
    snap.history = *h;
    BOOST_TEST(snap.timeline() == 4);
}

BOOST_AUTO_TEST_CASE(history_lenient_timeline_rules)
{
    dcs::codec_warnings w;
    dcs::cluster_snapshot snap;
    snap.history = dcs::read_history("history", "[]", w);
    BOOST_TEST(snap.timeline() == 1);
    BOOST_TEST(w.empty());
    for (const char* zero : {"", "x", "{}", "[ ]", R"([[1,2,"r"],["x",3,"r"]])", R"([[1,2,"r"],[]])"}) {
        w.clear();
        snap.history = dcs::read_history("history", zero, w);
        BOOST_TEST(snap.timeline() == 0, zero);
        BOOST_TEST(!w.empty(), zero);
    }
    // A bad middle line is dropped; the timeline comes from the last line.
    w.clear();
    snap.history = dcs::read_history("history", R"([[1,2,"r"],"junk",[4,5,"r"]])", w);
    BOOST_TEST(snap.timeline() == 5);
    BOOST_TEST(snap.history->lines.size() == 2u);
    BOOST_TEST(w.size() == 1u);
}

BOOST_AUTO_TEST_CASE(history_errors_name_the_line)
{
    std::string why;
    auto h = dcs::decode_history("history", R"([[1,2,"r"],[1,"x","r"]])", &why);
    BOOST_REQUIRE(!h);
    BOOST_TEST(contains(why, "history: field '[1][1]'"));
    h = dcs::decode_history("history", R"([[1,2]])", &why);
    BOOST_REQUIRE(!h);
    BOOST_TEST(why == "history: field '[0]': expected 3 to 5 items, got 2");
    h = dcs::decode_history("history", R"([[1,2,"r",5]])", &why);
    BOOST_TEST(why == "history: field '[0][3]': expected string, got integer");
    h = dcs::decode_history("history", R"({})", &why);
    BOOST_TEST(why == "history: expected array, got object");
}

// ------------------------------------------------------------- status

BOOST_AUTO_TEST_CASE(status_forms)
{
    auto s = dcs::decode_status("status", "50331744");
    BOOST_REQUIRE(s);   // bare integer: legacy optime
    BOOST_TEST(s->optime.value == 50331744u);
    BOOST_TEST(s->slots.empty());
    // slots and retain_slots as JSON strings containing JSON (Kubernetes).
    s = dcs::decode_status("status", R"({"optime":10,"slots":"{\"b\":2,\"a\":1}","retain_slots":"[\"b\", \"a\"]"})");
    BOOST_REQUIRE(s);
    BOOST_REQUIRE(s->slots.size() == 2u);
    BOOST_TEST(s->slots[0].first == "b");
    BOOST_TEST(s->slots[1].second.value == 1u);
    BOOST_TEST((s->retain_slots == std::vector<std::string>{"b", "a"}));
    BOOST_TEST(dcs::encode_status(*s) == R"({"optime":10,"slots":{"b":2,"a":1},"retain_slots":["a","b"]})");
    BOOST_TEST(dcs::encode_status(dcs::status_record{}) == R"({"optime":0})");
}

BOOST_AUTO_TEST_CASE(status_lenient_rules)
{
    dcs::codec_warnings w;
    for (const char* bad : {"", "x", "[1]", R"({"optime":"x"})"}) {
        w.clear();
        auto s = dcs::read_status("status", bad, w);
        BOOST_TEST(s.optime.value == 0u, bad);
        BOOST_TEST(s.slots.empty());
        BOOST_TEST(!w.empty(), bad);
    }
    w.clear();
    auto s = dcs::read_status("status", R"({"optime":7,"slots":{"a":"x","b":3},"retain_slots":{"no":1}})", w);
    BOOST_TEST(s.optime.value == 7u);
    BOOST_REQUIRE(s.slots.size() == 2u);
    BOOST_TEST(s.slots[0].second.value == 0u);   // non-integer => 0
    BOOST_TEST(s.slots[1].second.value == 3u);
    BOOST_TEST(s.retain_slots.empty());
    BOOST_TEST(w.size() == 2u);
    w.clear();
    s = dcs::read_status("status", R"({"optime":7,"slots":"not json","retain_slots":[1,"a"]})", w);
    BOOST_TEST(s.slots.empty());
    BOOST_TEST((s.retain_slots == std::vector<std::string>{"a"}));
    BOOST_TEST(w.size() == 2u);

    std::string why;
    auto strict = dcs::decode_status("status", R"({"optime":1,"slots":{"a":true}})", &why);
    BOOST_REQUIRE(!strict);
    BOOST_TEST(why == "status: field 'slots.a': expected integer, got boolean");
}

// ------------------------------------------------------------- failsafe, config, optime

BOOST_AUTO_TEST_CASE(failsafe_config_and_legacy_optime)
{
    dcs::codec_warnings w;
    BOOST_TEST(!dcs::read_failsafe("failsafe", "nope", w));
    BOOST_TEST(!dcs::read_failsafe("failsafe", "[]", w));
    BOOST_TEST(w.size() == 2u);
    std::string why;
    BOOST_TEST(!dcs::decode_failsafe("failsafe", R"({"a":1})", &why));
    BOOST_TEST(why == "failsafe: field 'a': expected string, got integer");

    auto c = dcs::read_config("config", "[1]", 5, 5, w);
    BOOST_TEST(c.json == "{}");
    BOOST_TEST(c.modify_version == 0);
    BOOST_TEST(c.version == 5);
    c = dcs::read_config("config", R"({"ttl":30})", 5, 9, w);
    BOOST_TEST(c.json == R"({"ttl":30})");
    BOOST_TEST(c.modify_version == 9);
    auto obj = dcs::parse_json_object("config", R"({"ttl":30,"postgresql":{"use_slots":false}})");
    BOOST_REQUIRE(obj);
    BOOST_TEST(obj->at("ttl").as_int64() == 30);
    BOOST_TEST(!dcs::decode_config("config", "x", &why));
    BOOST_TEST(contains(why, "config: invalid JSON"));

    auto o = dcs::decode_legacy_optime("optime/leader", "50331744");
    BOOST_REQUIRE(o);
    BOOST_TEST(o->value == 50331744u);
    BOOST_TEST(dcs::encode_legacy_optime(*o) == "50331744");
    BOOST_TEST(!dcs::decode_legacy_optime("optime/leader", "-1", &why));
    BOOST_TEST(contains(why, "optime/leader:"));

    BOOST_TEST(dcs::is_valid_sysid("7364583210987654321"));
    BOOST_TEST(!dcs::is_valid_sysid("123456789"));
    BOOST_TEST(!dcs::is_valid_sysid("73645832109876543x1"));
    BOOST_TEST(!dcs::is_valid_sysid(""));
}

// ------------------------------------------------------------- tags

BOOST_AUTO_TEST_CASE(tag_semantics)
{
    using fields = pgwarden::dcs::json_fields;
    auto t = dcs::interpret_tags({});
    BOOST_TEST(!t.nofailover);
    BOOST_TEST(t.failover_priority == 1);
    BOOST_TEST(!t.nosync);
    BOOST_TEST(t.sync_priority == 1);
    t = dcs::interpret_tags(fields{{"failover_priority", "0"}, {"sync_priority", "\"-1\""}});
    BOOST_TEST(t.nofailover);
    BOOST_TEST(t.failover_priority == 0);
    BOOST_TEST(t.nosync);
    BOOST_TEST(t.sync_priority == -1);
    t = dcs::interpret_tags(fields{{"nofailover", "true"}, {"failover_priority", "5"}});
    BOOST_TEST(t.nofailover);
    BOOST_TEST(t.failover_priority == 0);
    t = dcs::interpret_tags(fields{{"nofailover", "\"false\""}});   // a non-empty string is truthy
    BOOST_TEST(t.nofailover);
    t = dcs::interpret_tags(fields{{"nofailover", "null"}, {"failover_priority", "\"x\""}});
    BOOST_TEST(!t.nofailover);
    BOOST_TEST(t.failover_priority == 1);
    t = dcs::interpret_tags(fields{{"noloadbalance", "1"}, {"clonefrom", "\"\""}, {"nostream", "\"On\""},
                                   {"replicatefrom", "\"node1\""}});
    BOOST_TEST(t.noloadbalance);
    BOOST_TEST(!t.clonefrom);
    BOOST_TEST(t.nostream);
    BOOST_TEST(*t.replicatefrom == "node1");
    BOOST_TEST(!dcs::interpret_tags(fields{{"nostream", "\"maybe\""}}).nostream);

    auto eff = dcs::effective_tags(fields{{"nofailover", "false"}, {"clonefrom", "false"}, {"nosync", "false"},
                                          {"sync_priority", "2"}, {"zone", "false"}, {"nostream", "true"}});
    BOOST_TEST((eff == fields{{"nosync", "false"}, {"sync_priority", "2"}, {"zone", "false"}, {"nostream", "true"}}));
    eff = dcs::effective_tags(fields{{"nofailover", "false"}, {"failover_priority", "1"}});
    BOOST_TEST(eff.size() == 2u);
}

// ------------------------------------------------------------- JSON writer

BOOST_AUTO_TEST_CASE(python_compatible_serializer)
{
    auto n = [](std::string_view t) { return dcs::normalize_json(t).value_or("<invalid>"); };
    BOOST_TEST(n(R"({ "a" : [1, 2.5, true, null], "b": {} })") == R"({"a":[1,2.5,true,null],"b":{}})");
    BOOST_TEST(n(R"("é€😀")") == R"("\u00e9\u20ac\ud83d\ude00")");
    BOOST_TEST(n(R"("a\"b\\c\n\t\u0001\u007f/")") == R"("a\"b\\c\n\t\u0001\u007f/")");
    BOOST_TEST(n("1.0") == "1.0");
    BOOST_TEST(n("100.0") == "100.0");
    BOOST_TEST(n("0.0001") == "0.0001");
    BOOST_TEST(n("0.00001") == "1e-05");
    BOOST_TEST(n("1e16") == "1e+16");
    BOOST_TEST(n("1.5e300") == "1.5e+300");
    BOOST_TEST(n("123456789012345.6") == "123456789012345.6");
    BOOST_TEST(n("-0.0") == "-0.0");
    BOOST_TEST(n("18446744073709551615") == "18446744073709551615");
    BOOST_TEST(n("-9223372036854775808") == "-9223372036854775808");
    BOOST_TEST(n("[1e400,-1e400]") == "[1e999,-1e999]");   // found by fuzz_config: Infinity did not parse
    BOOST_TEST(n("0E01033") == "0.0");   // found by fuzz_config: Boost.JSON reads it as NaN
    BOOST_TEST(!dcs::normalize_json("{"));
    BOOST_TEST(dcs::is_truthy_json("\"0\""));
    for (const char* f : {"0", "0.0", "false", "null", "\"\"", "[]", "{}", "bad"})
        BOOST_TEST(!dcs::is_truthy_json(f), f);
}

// Found by fuzz_member / fuzz_failover: a UTF-8-encoded lone surrogate was
// written as `\udd3b`, which no JSON parser accepts, so our own output did not
// decode again. Invalid UTF-8 (overlong, surrogate, truncated) is now U+FFFD.
BOOST_AUTO_TEST_CASE(invalid_utf8_is_written_as_replacement_characters)
{
    dcs::failover_record f;
    f.leader = "a\xED\xB4\xBB" "b\xC0\x80" "c\xE2\x82";
    const auto text = dcs::encode_failover(f);
    BOOST_TEST(text == R"({"leader":"a\ufffd\ufffd\ufffdb\ufffd\ufffdc\ufffd\ufffd"})");
    auto again = dcs::decode_failover("failover", text);
    BOOST_REQUIRE(again);
    BOOST_TEST(dcs::encode_failover(*again) == text);
}

BOOST_AUTO_TEST_CASE(patroni_version_parse)
{
    BOOST_TEST((dcs::parse_patroni_version("3.0.2").value() == std::vector<int>{3, 0, 2}));
    BOOST_TEST(!dcs::parse_patroni_version("3.0.2-dev"));
    BOOST_TEST(!dcs::parse_patroni_version(""));
    BOOST_TEST(!dcs::parse_patroni_version("3..2"));
}

// ------------------------------------------------------------- truncation loop

// Every prefix of every fixture, through every strict decoder and lenient
// reader: a value or an error, never an exception or a crash.
BOOST_AUTO_TEST_CASE(every_prefix_of_every_fixture_decodes_or_fails_cleanly)
{
    std::size_t values = 0, errors = 0;
    for (const char* set : {"patroni-3.0.2", "patroni-4.1"}) {
        for (const auto& e : pgwarden::test::fixture_entries(set)) {
            for (std::size_t n = 0; n <= e.value.size(); ++n) {
                const std::string_view p(e.value.data(), n);
                dcs::codec_warnings w;
                std::string why;
                BOOST_CHECK_NO_THROW({
                    auto count = [&](bool ok) { ok ? ++values : ++errors; };
                    count(bool(dcs::decode_member(e.key, p, &why)));
                    count(bool(dcs::decode_sync(e.key, p, &why)));
                    count(bool(dcs::decode_failover(e.key, p, &why)));
                    count(bool(dcs::decode_history(e.key, p, &why)));
                    count(bool(dcs::decode_status(e.key, p, &why)));
                    count(bool(dcs::decode_failsafe(e.key, p, &why)));
                    count(bool(dcs::decode_config(e.key, p, &why)));
                    count(bool(dcs::decode_legacy_optime(e.key, p, &why)));
                    (void)dcs::read_member(e.key, p, w);   // lenient: only must not throw
                    (void)dcs::read_sync(e.key, p, w);
                    (void)dcs::read_failover(e.key, p, w);
                    (void)dcs::read_history(e.key, p, w);
                    (void)dcs::read_status(e.key, p, w);
                    (void)dcs::read_failsafe(e.key, p, w);
                    (void)dcs::read_config(e.key, p, 1, 1, w);
                });
                if (!why.empty()) BOOST_TEST(contains(why, e.key));
            }
        }
    }
    BOOST_TEST(values > 0u);
    BOOST_TEST(errors > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
