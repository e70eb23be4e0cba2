// Goal: the router answers like Patroni 4.1's REST API: the health-check
// status codes of every endpoint for each role and state (rest-api.md 3, 11),
// the exact /patroni, /cluster and /history documents (5, 6), access control
// (4), and the validation of unsafe requests with their exact messages (8).
// Method: fixed views (view_fixture.hpp) judged at fixed instants; tables of
// (method, target, expected status) and whole-document string comparisons.
#include "unit/api/view_fixture.hpp"

#include <pgwarden/api/router.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>

using namespace pgwarden;
using namespace pgwarden::api;
using namespace std::chrono_literals;

namespace {

clock_reading at(mono_time now = test::t0()) { return {now, test::wall0()}; }

response get(const router& r, std::string_view target, std::string_view method = "GET",
             clock_reading c = at())
{
    request req;
    req.method = method;
    req.target = target;
    req.peer_address = "127.0.0.1";
    return r.route(req, c);
}

response post(const router& r, std::string_view target, std::optional<std::string_view> body,
              std::string_view method = "POST", std::optional<std::string_view> auth = std::nullopt,
              std::string_view peer = "127.0.0.1")
{
    request req;
    req.method = method;
    req.target = target;
    req.peer_address = peer;
    req.authorization = auth;
    static thread_local std::string length;
    if (body) {
        length = std::to_string(body->size());
        req.content_length = length;
        req.body = *body;
    }
    return r.route(req, at());
}

struct row { const char* target; unsigned status; };

void check_codes(const api_view& v, std::initializer_list<row> rows, clock_reading c = at())
{
    router r(v);
    for (const auto& [target, status] : rows) {
        for (std::string_view method : {"GET", "HEAD", "OPTIONS"}) {
            const auto resp = get(r, target, method, c);
            BOOST_TEST(resp.status == status, method << " " << target << " -> " << resp.status);
            BOOST_TEST((resp.kind == response_kind::status_only) == (method != "GET"), method << " " << target);
        }
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(api_router)

BOOST_AUTO_TEST_CASE(health_codes_on_primary)
{
    check_codes(test::primary_view(), {
        {"/", 200}, {"/primary", 200}, {"/master", 200}, {"/read-write", 200}, {"/leader", 200},
        {"/standby-leader", 503}, {"/standby_leader", 503}, {"/replica", 503}, {"/read-only", 200},
        {"/health", 200}, {"/sync", 503}, {"/synchronous", 503}, {"/async", 503}, {"/asynchronous", 503},
        {"/quorum", 503}, {"/read-only-sync", 200}, {"/read-only-synchronous", 200},
        {"/read-only-quorum", 200}, {"/foo", 503}, {"/primary-foo", 200}, {"/read-only-leader", 200},
        {"/Primary", 503}, {"/primary?tag_nothing=x", 200}, {"/read-only?tag_nothing=x", 503},
        {"/replicas", 503},
    });
}

BOOST_AUTO_TEST_CASE(health_codes_on_async_replica)
{
    check_codes(test::replica_view(), {
        {"/", 503}, {"/primary", 503}, {"/leader", 503}, {"/standby-leader", 503}, {"/replica", 200},
        {"/replicas", 200}, {"/read-only", 200}, {"/health", 200}, {"/async", 200}, {"/asynchronous", 200},
        {"/sync", 503}, {"/quorum", 503}, {"/read-only-sync", 503}, {"/read-only-quorum", 503},
        {"/patroni-foo", 503},
        // lag: leader optime 67395656, replayed 67395000 => 656 bytes behind
        {"/replica?lag=1MB", 200}, {"/replica?lag=656", 200}, {"/replica?lag=655", 503}, {"/replica?lag=1kB", 200},
        {"/replica?lag=0x290", 200}, {"/replica?lag=bogus", 200}, {"/replica?lag=", 200}, {"/async?lag=100", 503},
        {"/read-only?lag=100", 503},
        {"/replica?replication_state=streaming", 200},
        {"/replica?replication_state=in+archive+recovery", 503},
        {"/replica?replication_state=in%20archive%20recovery", 503},
        // tag filters (string, int, bool) are compared as Python str().lower()
        {"/replica?tag_zone=a", 200}, {"/replica?tag_zone=b", 503}, {"/replica?tag_weight=2", 200},
        {"/replica?tag_clonefrom=true", 200}, {"/replica?tag_clonefrom=True", 503},
        {"/replica?tag_missing=x", 503}, {"/health?tag_zone=b", 503}, {"/health?tag_zone=a&tag_weight=2", 200},
    });
}

BOOST_AUTO_TEST_CASE(health_codes_of_sync_and_quorum_standbys)
{
    auto v = test::replica_view();
    v.synchronous_mode = sync_mode::on;
    check_codes(v, {{"/sync", 200}, {"/synchronous", 200}, {"/async", 503}, {"/quorum", 503},
                    {"/read-only-sync", 200}, {"/read-only-quorum", 503}, {"/replica", 200}});
    v.synchronous_mode = sync_mode::quorum;
    check_codes(v, {{"/sync", 503}, {"/quorum", 200}, {"/async", 503}, {"/read-only-quorum", 200},
                    {"/read-only-sync", 503}});
    // The sync checks need a valid DCS view.
    check_codes(v, {{"/quorum", 503}, {"/replica", 200}}, at(test::t0() + 31s));
}

BOOST_AUTO_TEST_CASE(health_codes_with_noloadbalance_and_stopped_postgres)
{
    auto v = test::replica_view();
    v.noloadbalance = true;
    check_codes(v, {{"/replica", 503}, {"/read-only", 503}, {"/health", 200}, {"/async", 503}});
    auto s = test::replica_view();
    s.pg = pg_status{};
    s.pg.state = "stopped";
    s.pg.role = "replica";
    check_codes(s, {{"/replica", 503}, {"/health", 503}, {"/read-only", 503}});
}

BOOST_AUTO_TEST_CASE(health_codes_of_standby_leader_and_paused_without_dcs)
{
    auto v = test::replica_view();
    v.standby_cluster = true;
    v.pg.role = "standby_leader";
    v.leader_lock_until = test::t0() + 10s;
    check_codes(v, {{"/standby-leader", 200}, {"/standby_leader", 200}, {"/leader", 200}, {"/primary", 503},
                    {"/replica", 503}, {"/read-only", 200}, {"/read-only-sync", 200}});
    // Lock expired: nothing is the leader any more.
    check_codes(v, {{"/leader", 503}, {"/standby-leader", 503}}, at(test::t0() + 11s));

    auto p = test::primary_view();
    p.paused = true;
    p.leader_lock_until.reset();
    check_codes(p, {{"/primary", 503}, {"/leader", 503}});   // DCS valid: lock decides
    check_codes(p, {{"/primary", 200}, {"/leader", 200}, {"/standby-leader", 503}}, at(test::t0() + 31s));
}

BOOST_AUTO_TEST_CASE(patroni_document_of_primary)
{
    router r(test::primary_view());
    const auto resp = get(r, "/patroni");
    BOOST_TEST(resp.status == 200u);
    BOOST_TEST(resp.content_type == "application/json");
    BOOST_TEST(resp.body_view() ==
               R"({"state": "running", "postmaster_start_time": "2024-08-28 19:39:26.352526+00:00", )"
               R"("role": "primary", "server_version": 160004, "xlog": {"location": 67395656}, "timeline": 1, )"
               R"("replication": [{"usename": "replicator", "application_name": "patroni2", )"
               R"("client_addr": "10.89.0.6", "state": "streaming", "sync_state": "async", "sync_priority": 0}], )"
               R"("dcs_last_seen": 1692356718, "tags": {"clonefrom": true}, )"
               R"("database_system_identifier": "7268616322854375442", )"
               R"("patroni": {"version": "4.1.4", "scope": "demo", "name": "patroni1"}})");
    // The health checks print the same document, with their own status.
    BOOST_TEST(get(r, "/replica").body_view() == resp.body_view());
    // Once the DCS view expires the cluster counts as unlocked.
    const auto late = get(r, "/patroni", "GET", at(test::t0() + 30s));
    BOOST_TEST(late.body_view().find(R"("cluster_unlocked": true, "dcs_last_seen")") != std::string_view::npos);
}

BOOST_AUTO_TEST_CASE(patroni_document_of_sync_replica_paused)
{
    auto v = test::replica_view();
    v.synchronous_mode = sync_mode::on;
    v.paused = true;
    v.pending_restart_reasons = {{"max_connections", "100", "200"}};
    v.scheduled_restart = R"({"schedule":"2030-01-01T10:00:00+00:00","role":"replica"})";
    v.watchdog_failed = true;
    v.effective_tags = {{"zone", "\"\xc3\xa9t\xc3\xa9\""}};
    router r(v);
    BOOST_TEST(get(r, "/patroni").body_view() ==
               R"({"state": "running", "postmaster_start_time": "2024-08-28 19:39:26.352526+00:00", )"
               R"("role": "replica", "server_version": 160004, "xlog": {"received_location": 67395656, )"
               R"("replayed_location": 67395000, "replayed_timestamp": "2024-08-28 21:39:30+02:00", )"
               R"("paused": false}, "sync_standby": true, "timeline": 1, "replication_state": "streaming", )"
               R"("pause": true, "dcs_last_seen": 1692356718, "tags": {"zone": "\u00e9t\u00e9"}, )"
               R"("database_system_identifier": "7268616322854375442", "pending_restart": true, )"
               R"("pending_restart_reason": {"max_connections": {"old_value": "100", "new_value": "200"}}, )"
               R"("patroni": {"version": "4.1.4", "scope": "demo", "name": "patroni2"}, )"
               R"("scheduled_restart": {"schedule": "2030-01-01T10:00:00+00:00", "role": "replica"}, )"
               R"("watchdog_failed": true})");
}

BOOST_AUTO_TEST_CASE(patroni_document_when_postgres_is_down)
{
    auto v = test::replica_view();
    v.pg = pg_status{};
    v.pg.state = "unknown";
    v.pg.role = "replica";
    v.cluster.reset();
    v.effective_tags.clear();
    v.database_system_identifier.reset();
    router r(v);
    BOOST_TEST(get(r, "/patroni").body_view() ==
               R"({"state": "unknown", "role": "replica", "cluster_unlocked": true, "dcs_last_seen": 1692356718, )"
               R"("patroni": {"version": "4.1.4", "scope": "demo", "name": "patroni2"}})");
}

BOOST_AUTO_TEST_CASE(cluster_history_config_failsafe_documents)
{
    auto v = test::primary_view();
    v.cluster->failover = dcs::failover_record{7, "patroni1", "patroni2", "2030-01-01T10:00:00+00:00"};
    router r(v);
    BOOST_TEST(get(r, "/cluster").body_view() ==
               R"({"members": [{"name": "patroni1", "role": "leader", "state": "running", )"
               R"("api_url": "http://10.89.0.5:8008/patroni", "host": "10.89.0.5", "port": 5432, "timeline": 1, )"
               R"("tags": {"clonefrom": true}}, )"
               R"({"name": "patroni2", "role": "replica", "state": "streaming", )"
               R"("api_url": "http://10.89.0.6:8008/patroni", "host": "10.89.0.6", "port": 5432, "timeline": 1, )"
               R"("receive_lag": 0, "receive_lsn": "0/4046048", "replay_lag": 656, "replay_lsn": "0/4045DB8", )"
               R"("lag": 0, "lsn": "0/4046048"}, )"
               R"({"name": "patroni3", "role": "replica", "state": "stopped", )"
               R"("api_url": "http://10.89.0.7:8008/patroni", "host": "10.89.0.7", "port": 5432, "timeline": 1, )"
               R"("receive_lsn": "unknown", "receive_lag": "unknown", "replay_lsn": "unknown", )"
               R"("replay_lag": "unknown", "lsn": "unknown", "lag": "unknown"}], )"
               R"("scheduled_switchover": {"at": "2030-01-01T10:00:00+00:00", "from": "patroni1", "to": "patroni2"}, )"
               R"("scope": "demo"})");
    BOOST_TEST(get(r, "/history").body_view() ==
               R"([[1, 25165984, "no recovery target specified", "2023-09-12T11:34:03.148097+00:00", "patroni1"]])");
    BOOST_TEST(get(r, "/config").body_view() ==
               R"({"ttl": 30, "loop_wait": 10, "postgresql": {"use_pg_rewind": true}})");
    BOOST_TEST(get(r, "/cluster/extra").status == 200u);

    const auto nofailsafe = get(r, "/failsafe");
    BOOST_TEST(nofailsafe.status == 502u);
    BOOST_TEST((nofailsafe.kind == response_kind::error_page));
    v.cluster->failsafe = dcs::failsafe_record{9, {{"patroni1", "http://10.89.0.5:8008/patroni"}}};
    v.cluster->config->modify_version = 0;
    router r2(v);
    BOOST_TEST(get(r2, "/failsafe").body_view() == R"({"patroni1": "http://10.89.0.5:8008/patroni"})");
    BOOST_TEST(get(r2, "/config").status == 502u);
    v.cluster.reset();
    router r3(v);
    BOOST_TEST(get(r3, "/history").body_view() == "[]");
    BOOST_TEST(get(r3, "/cluster").body_view() == R"({"members": [], "scope": "demo"})");
}

BOOST_AUTO_TEST_CASE(liveness_and_readiness)
{
    router p(test::primary_view());
    BOOST_TEST(get(p, "/liveness").status == 200u);
    BOOST_TEST((get(p, "/liveness").kind == response_kind::status_only));
    BOOST_TEST(get(p, "/liveness", "GET", at(test::t0() + 34s)).status == 200u);
    BOOST_TEST(get(p, "/liveness", "GET", at(test::t0() + 35s)).status == 503u);   // next_run + ttl
    BOOST_TEST(get(p, "/readiness").status == 200u);
    router rep(test::replica_view());
    BOOST_TEST(get(rep, "/liveness", "GET", at(test::t0() + 64s)).status == 200u);   // 2 * ttl
    BOOST_TEST(get(rep, "/liveness", "GET", at(test::t0() + 65s)).status == 503u);
    auto paused = test::replica_view();
    paused.paused = true;
    BOOST_TEST(get(router(paused), "/liveness", "GET", at(test::t0() + 999s)).status == 200u);

    BOOST_TEST(get(rep, "/readiness").status == 200u);              // 656 <= maximum_lag_on_failover
    BOOST_TEST(get(rep, "/readiness?lag=100").status == 503u);
    BOOST_TEST(get(rep, "/readiness?lag=100&mode=write").status == 200u);
    BOOST_TEST(get(rep, "/readiness?lag=656").status == 200u);
    BOOST_TEST(get(rep, "/readiness?lag=100", "GET", at(test::t0() + 40s)).status == 503u);  // latest_end_lsn
    auto archive = test::replica_view();
    archive.pg.replication_state = "in archive recovery";
    BOOST_TEST(get(router(archive), "/readiness").status == 503u);
    auto lost = test::replica_view();
    lost.pg.latest_end_lsn = 0;
    BOOST_TEST(get(router(lost), "/readiness", "GET", at(test::t0() + 40s)).status == 503u);
    lost.failsafe_active = true;
    BOOST_TEST(get(router(lost), "/readiness", "GET", at(test::t0() + 40s)).status == 200u);
    // HEAD /liveness is a health check of an unknown path.
    BOOST_TEST(get(p, "/liveness", "HEAD").status == 503u);
}

BOOST_AUTO_TEST_CASE(unknown_methods_and_paths_get_501)
{
    router r(test::primary_view());
    for (auto [method, target] : {std::pair{"POST", "/patroni"}, {"PUT", "/switchover"}, {"DELETE", "/config"},
                                  {"FOO", "/"}, {"POST", "/"}, {"PATCH", "/Config"}}) {
        const auto resp = post(r, target, "{\"a\": 1}", method);
        BOOST_TEST(resp.status == 501u, method << " " << target);
        BOOST_TEST((resp.kind == response_kind::error_page));
        BOOST_TEST(resp.body.find("Server does not support this operation") != std::string::npos);
        BOOST_TEST(resp.body.find(std::string("Unsupported method ('") + method + "')") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(switchover_and_failover_validation_messages)
{
    auto check = [](const api_view& v, std::string_view target, std::string_view body, unsigned status,
                    std::string_view text) {
        router r(v);
        const auto resp = post(r, target, body);
        BOOST_TEST(!resp.cmd, target << " " << body);
        BOOST_TEST(resp.status == status, target << " " << body << " -> " << resp.status);
        BOOST_TEST(resp.body == text, target << " " << body << " -> " << resp.body);
    };
    const auto v = test::primary_view();
    auto paused = v;
    paused.paused = true;
    check(v, "/failover", R"({"candidate": null})", 400, "Failover could be performed only to a specific candidate");
    check(v, "/switchover", R"({"candidate": "patroni2"})", 400,
          "Switchover could be performed only from a specific leader");
    check(v, "/switchover", R"({"leader": "", "candidate": "patroni2"})", 400,
          "Switchover could be performed only from a specific leader");
    check(v, "/failover", R"({"candidate": "patroni2", "scheduled_at": "2030-02-01T00:00+00:00"})", 400,
          "Failover can't be scheduled");
    check(paused, "/switchover", R"({"leader": "patroni1", "scheduled_at": "2030-02-01T00:00+00:00"})", 400,
          "Can't schedule switchover in the paused state");
    check(v, "/switchover", R"({"leader": "patroni1", "scheduled_at": "2030-02-01T00:00"})", 400,
          "Timezone information is mandatory for the scheduled switchover");
    check(v, "/switchover", R"({"leader": "patroni1", "scheduled_at": "2029-12-31T23:59:59Z"})", 422,
          "Cannot schedule switchover in the past");
    check(v, "/switchover", R"({"leader": "patroni1", "scheduled_at": "tomorrow"})", 422,
          "Unable to parse scheduled timestamp. It should be in an unambiguous format, e.g. ISO 8601");
    check(paused, "/switchover", R"({"leader": "patroni1"})", 400,
          "Switchover is possible only to a specific candidate in a paused state");
    check(v, "/switchover", R"({"leader": "patroni1", "candidate": "patroni1"})", 400,
          "Switchover target and source are the same");
    check(v, "/failover", R"({"leader": "patroni2", "member": "patroni2"})", 400,
          "Switchover target and source are the same");

    router r(v);
    BOOST_TEST(post(r, "/switchover", std::nullopt).status == 411u);
    BOOST_TEST(post(r, "/switchover", "{}").status == 400u);
    BOOST_TEST(post(r, "/switchover", "[1]").status == 400u);
    BOOST_TEST((post(r, "/switchover", "{bad").kind == response_kind::error_page));
}

BOOST_AUTO_TEST_CASE(switchover_commands)
{
    router r(test::primary_view());
    // patronictl 3.0.2 `failover` with a leader: becomes a switchover.
    auto resp = post(r, "/failover", R"({"leader": "patroni1", "candidate": "patroni2", "scheduled_at": null})");
    BOOST_REQUIRE(resp.cmd);
    auto* sw = std::get_if<switchover_command>(&*resp.cmd);
    BOOST_REQUIRE(sw);
    BOOST_TEST(sw->action == "switchover");
    BOOST_TEST(*sw->leader == "patroni1");
    BOOST_TEST(*sw->candidate == "patroni2");
    BOOST_TEST(!sw->scheduled_at);

    resp = post(r, "/switchover", R"({"leader": "patroni1", "scheduled_at": "2030-01-02T12:00:00.5+02:00"})");
    BOOST_REQUIRE(resp.cmd);
    sw = std::get_if<switchover_command>(&*resp.cmd);
    BOOST_REQUIRE(sw);
    BOOST_TEST(!sw->candidate);
    BOOST_TEST(sw->scheduled_at_iso == "2030-01-02T10:00:00.500000+00:00");

    resp = post(r, "/failover", R"({"candidate": "patroni3"})");
    BOOST_REQUIRE(resp.cmd);
    BOOST_TEST(std::get<switchover_command>(*resp.cmd).action == "failover");
}

BOOST_AUTO_TEST_CASE(failover_possibility_checks)
{
    const auto c = test::cluster();
    auto check = [&](sync_mode mode, std::optional<std::string> leader, std::optional<std::string> candidate,
                     std::string action, std::optional<std::string> error, std::vector<std::string> poll = {}) {
        switchover_command cmd{action, leader, candidate, std::nullopt, ""};
        const auto res = is_failover_possible(c, mode, cmd);
        BOOST_TEST((res.error == error), res.error.value_or("-"));
        BOOST_TEST((res.members_to_poll == poll));
    };
    check(sync_mode::off, "patroni2", "patroni3", "switchover", "leader name does not match");
    check(sync_mode::on, "patroni1", "patroni3", "switchover", "candidate name does not match with sync_standby");
    check(sync_mode::off, "patroni1", "patroni9", "switchover", "candidate does not exists");
    check(sync_mode::on, "patroni1", "patroni2", "switchover", std::nullopt, {"patroni2"});
    check(sync_mode::quorum, "patroni1", "patroni3", "switchover", std::nullopt, {"patroni3"});
    check(sync_mode::on, "patroni1", std::nullopt, "switchover", std::nullopt, {"patroni2"});
    check(sync_mode::off, "patroni1", std::nullopt, "switchover", std::nullopt, {"patroni2", "patroni3"});
    auto lonely = c;
    lonely.members.resize(1);
    lonely.sync.reset();
    switchover_command cmd{"switchover", "patroni1", std::nullopt, std::nullopt, ""};
    BOOST_TEST(*is_failover_possible(lonely, sync_mode::off, cmd).error ==
               "switchover is not possible: cluster does not have members except leader");
    BOOST_TEST(*is_failover_possible(lonely, sync_mode::on, cmd).error ==
               "switchover is not possible: can not find sync_standby");
}

BOOST_AUTO_TEST_CASE(basic_auth_allowlist_and_client_certificates)
{
    auto v = test::primary_view();
    v.restapi.auth_key = "YWRtaW46c2VjcmV0";   // admin:secret
    router r(v);
    auto resp = post(r, "/reload", std::nullopt);
    BOOST_TEST(resp.status == 401u);
    BOOST_TEST(resp.body == "no auth header received");
    BOOST_REQUIRE(resp.headers.size() == 1u);
    BOOST_TEST(resp.headers[0].first == "WWW-Authenticate");
    BOOST_TEST(resp.headers[0].second == "Basic realm=\"Patroni\"");
    for (std::string_view bad : {"Basic YWRtaW46c2VjcmV1", "Bearer YWRtaW46c2VjcmV0", "basic YWRtaW46c2VjcmV0",
                                 "Basic YWRtaW46c2VjcmV0 ", "Basic "}) {
        resp = post(r, "/reload", std::nullopt, "POST", bad);
        BOOST_TEST(resp.status == 401u, bad);
        BOOST_TEST(resp.body == "not authenticated", bad);
    }
    resp = post(r, "/reload", std::nullopt, "POST", "Basic YWRtaW46c2VjcmV0");
    BOOST_TEST(resp.status == 202u);
    BOOST_TEST(resp.body == "reload scheduled");
    BOOST_REQUIRE(resp.cmd);
    BOOST_TEST(std::holds_alternative<reload_command>(*resp.cmd));
    // GET never needs credentials; POST /mpp is not protected in Patroni.
    BOOST_TEST(get(r, "/patroni").status == 200u);
    BOOST_TEST(post(r, "/mpp", R"({"type": "before_demote"})").status == 200u);
    BOOST_TEST(post(r, "/citus", R"({"type": "before_demote"})").status == 401u);

    auto a = test::primary_view();
    a.restapi.allowlist = {*ip_network::parse("10.0.0.0/8"), *ip_network::parse("fd00::1")};
    router ra(a);
    resp = post(ra, "/reload", std::nullopt);
    BOOST_TEST(resp.status == 403u);
    BOOST_TEST(resp.body == "Access is denied");
    BOOST_TEST(post(ra, "/reload", std::nullopt, "POST", std::nullopt, "10.1.2.3").status == 202u);
    BOOST_TEST(post(ra, "/reload", std::nullopt, "POST", std::nullopt, "::ffff:10.1.2.3").status == 202u);
    BOOST_TEST(post(ra, "/reload", std::nullopt, "POST", std::nullopt, "fd00::1").status == 202u);
    BOOST_TEST(post(ra, "/reload", std::nullopt, "POST", std::nullopt, "fd00::2").status == 403u);
    // allowlist_include_members is ignored by POST /failsafe.
    a.restapi.allowlist.clear();
    a.restapi.allowlist_include_members = true;
    a.restapi.member_networks = {*ip_network::parse("10.89.0.6")};
    a.failsafe_mode = true;
    router rm(a);
    BOOST_TEST(post(rm, "/reload", std::nullopt, "POST", std::nullopt, "10.89.0.6").status == 202u);
    BOOST_TEST(post(rm, "/reload", std::nullopt, "POST", std::nullopt, "10.89.0.7").status == 403u);
    BOOST_TEST(post(rm, "/failsafe", R"({"name": "x"})", "POST", std::nullopt, "10.89.0.7").cmd.has_value());

    auto t = test::primary_view();
    t.restapi.tls = true;
    t.restapi.verify_client = true;
    resp = post(router(t), "/reload", std::nullopt);
    BOOST_TEST(resp.status == 403u);
    BOOST_TEST(resp.body == "client certificate required");
}

BOOST_AUTO_TEST_CASE(restart_reinitialize_config_and_other_commands)
{
    auto v = test::primary_view();
    router r(v);
    auto body_error = [&](std::string_view body, unsigned status, std::string_view text) {
        const auto resp = post(r, "/restart", body);
        BOOST_TEST(!resp.cmd, body);
        BOOST_TEST(resp.status == status, body);
        BOOST_TEST(resp.body == text, body);
    };
    body_error(R"({"role": "master"})", 400, "PostgreSQL role should be either primary, standby_leader, or replica");
    body_error(R"({"postgres_version": "9.6"})", 400,
               "Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: 9.6");
    body_error(R"({"postgres_version": "a.b.c"})", 400, "Invalid PostgreSQL version: a.b.c");
    body_error(R"({"timeout": "0"})", 400, "Timeout should be a positive number of seconds");
    body_error(R"({"timeout": "5 parsecs"})", 400, "Timeout should be a positive number of seconds");
    body_error(R"({"foo": 1})", 400, "Unknown filter for the scheduled restart: foo");
    body_error(R"({"role": "replica", "foo": 1})", 400, "Unknown filter for the scheduled restart: foo");
    body_error(R"({"schedule": "2030-01-01 10:00"})", 400,
               "Timezone information is mandatory for the scheduled restart");
    auto paused = v;
    paused.paused = true;
    auto resp = post(router(paused), "/restart", R"({"schedule": "2030-06-01T10:00:00+00:00"})");
    BOOST_TEST(resp.status == 500u);
    BOOST_TEST(resp.body == "Can't schedule restart in the paused state");

    resp = post(r, "/restart", R"({"schedule": "2030-06-01T10:00:00Z", "role": "replica", "timeout": "2min",
                                   "postgres_version": "15.2", "restart_pending": false})");
    BOOST_REQUIRE(resp.cmd);
    const auto& rc = std::get<restart_command>(*resp.cmd);
    BOOST_TEST(rc.schedule_iso == "2030-06-01T10:00:00+00:00");
    BOOST_TEST(*rc.role == "replica");
    BOOST_TEST(*rc.timeout_s == 120);
    BOOST_TEST(*rc.postgres_version == "15.2");
    BOOST_TEST(rc.restart_pending);
    // Body optional: none, or Content-Length 0.
    BOOST_TEST(std::holds_alternative<restart_command>(*post(r, "/restart", std::nullopt).cmd));
    BOOST_TEST(std::holds_alternative<restart_command>(*post(r, "/restart", "").cmd));
    BOOST_TEST(post(r, "/restart", "[]").status == 400u);

    resp = post(r, "/reinitialize", R"({"force": "Yes", "from_leader": true})");
    const auto& ri = std::get<reinitialize_command>(*resp.cmd);
    BOOST_TEST(ri.force);
    BOOST_TEST(ri.from_leader);
    BOOST_TEST(!std::get<reinitialize_command>(*post(r, "/reinitialize", std::nullopt).cmd).force);

    resp = post(r, "/config", R"({"pause": true})", "PATCH");
    BOOST_TEST(std::get<patch_config_command>(*resp.cmd).body_json == R"({"pause":true})");
    resp = post(r, "/config", R"({"ttl": 20})", "PUT");
    BOOST_TEST(std::get<put_config_command>(*resp.cmd).body_json == R"({"ttl":20})");
    BOOST_TEST(post(r, "/config", std::nullopt, "PATCH").status == 411u);
    BOOST_TEST(std::holds_alternative<delete_restart_command>(*post(r, "/restart", std::nullopt, "DELETE").cmd));
    BOOST_TEST(std::holds_alternative<delete_switchover_command>(
        *post(r, "/switchover", std::nullopt, "DELETE").cmd));
    resp = post(r, "/sigterm", std::nullopt);
    BOOST_TEST(resp.status == 202u);
    BOOST_TEST(resp.body == "shutdown scheduled");
    BOOST_TEST(post(r, "/failsafe", R"({"name": "x"})").status == 502u);   // failsafe_mode off
}

BOOST_AUTO_TEST_CASE(wire_format)
{
    restapi_settings s;
    s.extra_headers = {{"X-Frame-Options", "SAMEORIGIN"}};
    const std::string date = http_date(test::wall0());
    BOOST_TEST(date == "Tue, 01 Jan 2030 00:00:00 GMT");

    std::string out;
    auto r = text_response(202, "reload scheduled");
    BOOST_TEST(!write_head(out, r, s, 0, true, date));
    BOOST_TEST(out == "HTTP/1.0 202 Accepted\r\nServer: BaseHTTP/0.6 Python/3.11.2\r\n"
                      "Date: Tue, 01 Jan 2030 00:00:00 GMT\r\nContent-Type: text/html\r\n"
                      "X-Frame-Options: SAMEORIGIN\r\n\r\n");
    BOOST_TEST(body_to_send(r) == "reload scheduled");

    out.clear();
    BOOST_TEST(write_head(out, r, s, 1, true, date));
    BOOST_TEST(out.find("Content-Length: 16\r\n\r\n") != std::string::npos);

    response so;
    so.kind = response_kind::status_only;
    so.status = 503;
    out.clear();
    BOOST_TEST(!write_head(out, so, s, 0, true, date));
    BOOST_TEST(out == "HTTP/1.0 503 Service Unavailable\r\n\r\n");
    BOOST_TEST(body_to_send(so).empty());
    out.clear();
    BOOST_TEST(write_head(out, so, s, 1, true, date));
    BOOST_TEST(out == "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");

    auto e = error_response(501, "POST");
    out.clear();
    BOOST_TEST(!write_head(out, e, s, 1, true, date));
    BOOST_TEST(out == "HTTP/1.1 501 Unsupported method ('POST')\r\nServer: BaseHTTP/0.6 Python/3.11.2\r\n"
                      "Date: Tue, 01 Jan 2030 00:00:00 GMT\r\nConnection: close\r\n"
                      "Content-Type: text/html;charset=utf-8\r\nContent-Length: 357\r\n\r\n");
    BOOST_TEST(e.body == "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n"
                         "        <title>Error response</title>\n    </head>\n    <body>\n"
                         "        <h1>Error response</h1>\n        <p>Error code: 501</p>\n"
                         "        <p>Message: Unsupported method ('POST').</p>\n"
                         "        <p>Error code explanation: 501 - Server does not support this operation.</p>\n"
                         "    </body>\n</html>\n");
    BOOST_TEST(e.body.size() == 357u);
}

BOOST_AUTO_TEST_CASE(parse_int_like_patroni)
{
    BOOST_TEST(*parse_int("1024", "B") == 1024);
    BOOST_TEST(*parse_int("16kB", "B") == 16384);
    BOOST_TEST(*parse_int("10MB", "B") == 10485760);
    BOOST_TEST(*parse_int("1GB", "B") == 1073741824);
    BOOST_TEST(*parse_int("1.5MB", "B") == 1572864);
    BOOST_TEST(*parse_int("0x10", "B") == 16);
    BOOST_TEST(*parse_int("010", "B") == 8);
    BOOST_TEST(*parse_int(" 42 ", "B") == 42);
    BOOST_TEST(*parse_int("30", "s") == 30);
    BOOST_TEST(*parse_int("2min", "s") == 120);
    BOOST_TEST(*parse_int("1500ms", "s") == 2);
    BOOST_TEST(!parse_int("10mb", "B"));
    BOOST_TEST(!parse_int("abc", "B"));
    BOOST_TEST(!parse_int("", "B"));
}

BOOST_AUTO_TEST_CASE(filters_tags_like_patroni)
{
    const dcs::json_fields configured = {{"nofailover", "false"}, {"clonefrom", "true"}, {"noloadbalance", "false"},
                                         {"nosync", "false"},     {"sync_priority", "0"}, {"zone", "\"a\""},
                                         {"nostream", "0"}};
    const dcs::json_fields expected = {{"clonefrom", "true"}, {"nosync", "false"}, {"sync_priority", "0"},
                                       {"zone", "\"a\""}};
    BOOST_TEST((filter_tags(configured) == expected));
}

BOOST_AUTO_TEST_SUITE_END()
