// Goal: the receiving side of DCS failsafe mode answers POST /failsafe like
// Patroni (rest-api.md 8.10, ha-loop.md 17): 502 when failsafe_mode is off,
// 400 for an unusable body (naming the field), 500 `Running as a leader` on a
// running primary, else 200 `Accepted` with the `lsn` header; the sender is
// remembered for the longer of the ttl at the POST and the current ttl.
// The body the sender builds parses back to itself, and the POST goes to the
// api_url's base with the path replaced.
// Method: the router on fixed views, then api::failsafe_receiver driven with
// explicit instants and ttls (it reads no clock).
#include "unit/api/view_fixture.hpp"

#include <pgwarden/api/failsafe.hpp>
#include <pgwarden/api/router.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

using namespace pgwarden;
using namespace pgwarden::api;
using namespace std::chrono_literals;

namespace {

response post_failsafe(const api_view& v, std::string_view body)
{
    request req;
    req.method = "POST";
    req.target = "/failsafe";
    req.peer_address = "127.0.0.1";
    const std::string length = std::to_string(body.size());
    req.content_length = length;
    req.body = body;
    return router(v).route(req, clock_reading{test::t0(), test::wall0()});
}

const char* const good_body =
    R"({"name":"n1","conn_url":"postgres://10.0.0.1:5432/postgres","api_url":"http://10.0.0.1:8008/patroni",)"
    R"("slots":{"n1":50331648,"n2":50331000}})";

std::string header(const response& r, std::string_view name)
{
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return "<none>";
}

} // namespace

BOOST_AUTO_TEST_SUITE(api_failsafe)

BOOST_AUTO_TEST_CASE(router_checks_mode_and_body_before_the_daemon)
{
    auto v = test::replica_view();
    v.failsafe_mode = false;
    BOOST_TEST(post_failsafe(v, good_body).status == 502u);
    v.failsafe_mode = true;
    BOOST_TEST(post_failsafe(v, "not json").status == 400u);
    BOOST_TEST(post_failsafe(v, "{}").status == 400u);
    const auto r = post_failsafe(v, good_body);
    BOOST_REQUIRE(r.cmd.has_value());
    const auto* c = std::get_if<failsafe_command>(&*r.cmd);
    BOOST_REQUIRE(c != nullptr);
    std::string why;
    const auto parsed = parse_failsafe_post(c->body_json, &why);
    BOOST_REQUIRE(parsed.has_value());
    BOOST_TEST(parsed->name == "n1");
}

BOOST_AUTO_TEST_CASE(replica_accepts_and_reports_its_lsn)
{
    failsafe_receiver rx;
    const mono_time t = test::t0();
    auto r = rx.accept(good_body, false, lsn{0x3000060}, t, 30s);
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.body == "Accepted");
    BOOST_TEST(header(r, "lsn") == std::to_string(0x3000060));
    const auto* l = rx.leader(t + 1s, 30s);
    BOOST_REQUIRE(l != nullptr);
    BOOST_TEST(l->name == "n1");
    BOOST_TEST(l->conn_url == "postgres://10.0.0.1:5432/postgres");
    BOOST_TEST(l->api_url == "http://10.0.0.1:8008/patroni");
    BOOST_REQUIRE(l->slots.has_value());
    BOOST_TEST(l->slots->size() == 2u);
    BOOST_TEST(rx.is_active(t + 29s, 30s));
    BOOST_TEST(!rx.is_active(t + 30s, 30s));

    // No WAL position known: no lsn header (Patroni sends none either).
    failsafe_receiver quiet;
    r = quiet.accept(good_body, false, std::nullopt, t, 30s);
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(header(r, "lsn") == "<none>");
}

BOOST_AUTO_TEST_CASE(running_primary_refuses_and_remembers_nothing)
{
    failsafe_receiver rx;
    const auto r = rx.accept(good_body, true, lsn{1}, test::t0(), 30s);
    BOOST_TEST(r.status == 500u);
    BOOST_TEST(r.body == "Running as a leader");
    BOOST_TEST(header(r, "lsn") == "<none>");
    BOOST_TEST(!rx.is_active(test::t0(), 30s));
}

BOOST_AUTO_TEST_CASE(unusable_bodies_get_400_naming_the_field)
{
    failsafe_receiver rx;
    struct row { const char* body; const char* field; };
    for (const auto& [body, field] : {row{R"({"conn_url":"x"})", "'name'"}, row{R"({"name":""})", "'name'"},
                                      row{R"({"name":7})", "'name'"}, row{R"({"name":"n1","conn_url":1})", "'conn_url'"},
                                      row{R"({"name":"n1","api_url":[]})", "'api_url'"},
                                      row{R"({"name":"n1","slots":[1]})", "'slots'"}, row{"[1]", "JSON object"}}) {
        const auto r = rx.accept(body, false, std::nullopt, test::t0(), 30s);
        BOOST_TEST(r.status == 400u, body);
        BOOST_TEST(r.body.find(field) != std::string::npos, body << " -> " << r.body);
    }
    BOOST_TEST(!rx.is_active(test::t0(), 30s));
    // Non-integer slot positions are skipped, a null slots means "none sent".
    auto p = parse_failsafe_post(R"({"name":"n1","slots":{"a":"x","b":-1,"c":5}})", nullptr);
    BOOST_REQUIRE(p && p->slots);
    BOOST_REQUIRE(p->slots->size() == 1u);
    BOOST_TEST(p->slots->front().first == "c");
    p = parse_failsafe_post(R"({"name":"n1","slots":null})", nullptr);
    BOOST_REQUIRE(p.has_value());
    BOOST_TEST(!p->slots.has_value());
}

BOOST_AUTO_TEST_CASE(record_lasts_for_the_longer_ttl)
{
    // docs/notes/sim.md "Failsafe and a lowered ttl": the leader armed its watchdog with the
    // ttl of the POST; a ttl lowered meanwhile must not end the record earlier.
    failsafe_receiver rx;
    const mono_time t = test::t0();
    (void)rx.accept(good_body, false, std::nullopt, t, 30s);
    BOOST_TEST(rx.is_active(t + 29s, 10s));
    BOOST_TEST(!rx.is_active(t + 30s, 10s));
    // A ttl raised since the POST extends it (Patroni's own rule).
    BOOST_TEST(rx.is_active(t + 59s, 60s));
    BOOST_TEST(!rx.is_active(t + 60s, 60s));
    // A newer POST restarts the period; reset forgets it.
    (void)rx.accept(good_body, false, std::nullopt, t + 25s, 30s);
    BOOST_TEST(rx.is_active(t + 54s, 30s));
    rx.reset();
    BOOST_TEST(!rx.is_active(t + 26s, 30s));
}

BOOST_AUTO_TEST_CASE(sender_body_and_endpoint)
{
    failsafe_post p;
    p.name = "node-1";
    p.conn_url = "postgres://127.0.0.1:5432/postgres";
    p.api_url = "https://127.0.0.1:8008/patroni";
    p.slots.emplace();
    p.slots->emplace_back("node_1", lsn{42});
    const std::string body = encode_failsafe_post(p);
    BOOST_TEST(body == R"({"name":"node-1","conn_url":"postgres://127.0.0.1:5432/postgres",)"
                       R"("api_url":"https://127.0.0.1:8008/patroni","slots":{"node_1":42}})");
    auto back = parse_failsafe_post(body, nullptr);
    BOOST_REQUIRE(back.has_value());
    BOOST_TEST(back->name == p.name);
    BOOST_REQUIRE(back->slots.has_value());
    BOOST_TEST(back->slots->front().second.value == 42u);
    // No slots known: an empty object, as Patroni sends when it cannot advance slots.
    p.slots.reset();
    BOOST_TEST(encode_failsafe_post(p).find(R"("slots":{})") != std::string::npos);

    BOOST_TEST(failsafe_endpoint("http://10.0.0.1:8008/patroni") == "http://10.0.0.1:8008/failsafe");
    BOOST_TEST(failsafe_endpoint("https://[::1]:8443/x/y?z=1") == "https://[::1]:8443/failsafe");
    BOOST_TEST(failsafe_endpoint("http://h:1") == "http://h:1/failsafe");
    BOOST_TEST(failsafe_endpoint("h:8008/patroni") == "");
}

BOOST_AUTO_TEST_SUITE_END()
