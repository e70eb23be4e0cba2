// Fixed api_view values shared by the api unit tests, integration tests and
// the benchmark: a primary (patroni1) and a replica (patroni2) of a healthy
// three-node cluster `demo`, judged at a fixed monotonic instant.
#pragma once
#include <pgwarden/api/view.hpp>

#include <chrono>

namespace pgwarden::api::test {

/// The instant the fixture views are judged at.
inline mono_time t0() { return mono_time{} + std::chrono::hours{1000}; }
/// 2030-01-01T00:00:00Z, the wall clock of the fixture.
inline wall_time wall0() { return wall_time{std::chrono::milliseconds{1893456000000LL}}; }

inline dcs::member_record member(std::string name, std::string host, std::string role, std::int64_t xlog)
{
    dcs::member_record m;
    m.name = name;
    m.data.conn_url = "postgres://" + host + ":5432/postgres";
    m.data.api_url = "http://" + host + ":8008/patroni";
    m.data.state = "running";
    m.data.role = std::move(role);
    m.data.version = "4.1.4";
    m.data.xlog_location = lsn{static_cast<std::uint64_t>(xlog)};
    m.data.timeline = 1;
    return m;
}

inline dcs::cluster_snapshot cluster()
{
    dcs::cluster_snapshot c;
    c.initialize = "7268616322854375442";
    c.config = dcs::config_record{1, 1, R"({"ttl":30,"loop_wait":10,"postgresql":{"use_pg_rewind":true}})"};
    c.leader = dcs::leader_record{"patroni1", 5, "lease"};
    auto m1 = member("patroni1", "10.89.0.5", "primary", 67395656);
    m1.data.tags = {{"clonefrom", "true"}};
    auto m2 = member("patroni2", "10.89.0.6", "replica", 67395656);
    m2.data.replication_state = "streaming";
    m2.data.receive_lsn = lsn{67395656};
    m2.data.replay_lsn = lsn{67395000};
    auto m3 = member("patroni3", "10.89.0.7", "replica", 0);
    m3.data.xlog_location.reset();
    m3.data.state = "stopped";
    c.members = {m1, m2, m3};
    c.sync = dcs::sync_record{2, "patroni1", {"patroni2"}, 0};
    c.history = dcs::history_record{3, true, {{1, lsn{25165984}, "no recovery target specified",
                                               "2023-09-12T11:34:03.148097+00:00", "patroni1"}}};
    c.status = dcs::status_record{4, lsn{67395656}, {}, {}};
    return c;
}

inline api_view primary_view()
{
    api_view v;
    v.scope = "demo";
    v.name = "patroni1";
    v.version = "4.1.4";
    v.pg.query_ok = true;
    v.pg.state = "running";
    v.pg.role = "primary";
    v.pg.postmaster_start_time = pg_timestamp{1724873966352526LL, 0};
    v.pg.server_version = 160004;
    v.pg.in_recovery = false;
    v.pg.xlog_location = 67395656;
    v.pg.timeline = 1;
    v.pg.replication = {{"replicator", "patroni2", "10.89.0.6", "streaming", "async", 0}};
    v.cluster = cluster();
    v.cluster_valid_until = t0() + std::chrono::seconds{30};
    v.leader_lock_until = t0() + std::chrono::seconds{30};
    v.next_run = t0() + std::chrono::seconds{5};
    v.dcs_last_seen = 1692356718;
    v.tags = {{"clonefrom", "true"}};
    v.effective_tags = v.tags;
    v.database_system_identifier = "7268616322854375442";
    return v;
}

inline api_view replica_view()
{
    api_view v = primary_view();
    v.name = "patroni2";
    v.pg.role = "replica";
    v.pg.in_recovery = true;
    v.pg.xlog_location = 0;
    v.pg.received_location = 67395656;
    v.pg.replayed_location = 67395000;
    v.pg.replayed_timestamp = pg_timestamp{1724873970000000LL, 7200};
    v.pg.latest_end_lsn = 67395656;
    v.pg.replication_state = "streaming";
    v.pg.replication.clear();
    v.leader_lock_until.reset();
    v.tags = {{"zone", "\"a\""}, {"weight", "2"}, {"clonefrom", "true"}};
    v.effective_tags = v.tags;
    return v;
}

} // namespace pgwarden::api::test
