// A three-member cluster (n1, n2, n3) and helpers to run decide() on it.
#pragma once
#include <pgwarden/ha/decide.hpp>
#include <pgwarden/ha/transitions.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ha_test {

using namespace pgwarden;
using namespace pgwarden::ha;
using namespace std::chrono_literals;

inline dcs::member_record member(const std::string& name, const std::string& role = "replica",
                                 std::uint64_t xlog = 100)
{
    dcs::member_record m;
    m.name = name;
    m.data.conn_url = "postgres://127.0.0.1:5432/postgres";
    m.data.api_url = "http://127.0.0.1:8008/patroni";
    m.data.state = "running";
    m.data.role = role;
    m.data.version = "4.1.4";
    m.data.xlog_location = lsn{xlog};
    return m;
}

// DCS values built field by field, so that additions to dcs/model.hpp need no test change.
inline dcs::sync_record sync_rec(dcs::dcs_version v, const std::string& leader, std::vector<std::string> voters,
                                 std::int64_t quorum)
{
    dcs::sync_record r;
    r.version = v;
    r.leader = leader;
    r.sync_standby = std::move(voters);
    r.quorum = quorum;
    return r;
}

inline dcs::failover_record failover_rec(dcs::dcs_version v, const std::string& leader, const std::string& member,
                                         std::optional<std::string> at = std::nullopt)
{
    dcs::failover_record r;
    r.version = v;
    r.leader = leader;
    r.member = member;
    r.scheduled_at = std::move(at);
    return r;
}

inline dcs::history_line history_ln(std::int64_t parent, std::uint64_t pos, const std::string& reason,
                                    std::optional<std::string> ts = std::nullopt)
{
    dcs::history_line l;
    l.parent_timeline = parent;
    l.switch_lsn = lsn{pos};
    l.reason = reason;
    l.timestamp = std::move(ts);
    return l;
}

inline dcs::history_record history_rec(std::vector<dcs::history_line> lines)
{
    dcs::history_record h;
    h.version = 1;
    h.parsed = true;
    h.lines = std::move(lines);
    return h;
}

inline dcs::status_record status_rec(std::uint64_t optime)
{
    dcs::status_record st;
    st.version = 1;
    st.optime = lsn{optime};
    return st;
}

inline peer_status peer(const std::string& name, std::uint64_t wal, bool in_recovery = true)
{
    peer_status p;
    p.name = name;
    p.reachable = true;
    p.role = in_recovery ? "replica" : "primary";
    p.in_recovery = in_recovery;
    p.wal_position = lsn{wal};
    p.timeline = 1;
    return p;
}

/// A pg_stat_replication row (fields assigned by name: robust to additions to the model).
inline pg::replication_peer repl(const std::string& name, const std::string& sync_state, std::uint64_t pos)
{
    pg::replication_peer r;
    r.application_name = name;
    r.state = "streaming";
    r.sync_state = sync_state;
    r.write_lsn = r.flush_lsn = r.replay_lsn = lsn{pos};
    return r;
}

inline std::vector<std::string> names(const transition& t);
inline std::string joined(const std::vector<std::string>& v);

/// The role decide() starts from: a fresh state's `uninitialized` follows the data directory (§2.1).
inline node_role seeded_role(const ha_state& st, const pg::local_pg_state& pg, const local_facts& facts)
{
    if (st.role != node_role::uninitialized || pg.data_dir_empty || st.bootstrapping) return st.role;
    if (pg.running) return pg.in_recovery ? node_role::replica : node_role::primary;
    return facts.has_recovery_conf ? node_role::replica : node_role::demoted;
}

inline std::size_t first_index(const transition& t, std::string_view name)
{
    for (std::size_t i = 0; i < t.actions.size(); ++i)
        if (name == action_name(t.actions[i])) return i;
    return t.actions.size();
}

/// STYLE.md 3 rule 2: promote only after taking/refreshing the lock; a running primary
/// stops before releasing it (a replica may release first: it accepts no writes).
inline void check_prefix_safety(const transition& t, bool running_primary = true)
{
    const auto promote = first_index(t, "pg_promote");
    if (promote < t.actions.size())
        BOOST_TEST(std::min(first_index(t, "acquire_leader"), first_index(t, "renew_leader")) < promote);
    const auto release = first_index(t, "release_leader"), stop = first_index(t, "pg_stop");
    if (running_primary && release < t.actions.size() && stop < t.actions.size())
        BOOST_TEST(stop < release, "stop after release: " << t.reason << " [" << joined(names(t)) << "]");
    const auto query = std::min({first_index(t, "fetch_peers"), first_index(t, "post_failsafe"),
                                 first_index(t, "pg_check_divergence")});
    if (query < t.actions.size()) BOOST_TEST(t.actions.size() == 1u);   // queries come alone
}

struct fixture {
    ha_config cfg;
    ha_state st;
    dcs::cluster_snapshot cl;
    pg::local_pg_state pg;
    inputs in;
    mono_time t0 = mono_time{} + 1000s;

    fixture()
    {
        cfg.name = "n1";
        cfg.scope = "demo";
        cfg.conn_url = "postgres://127.0.0.1:5432/postgres";
        cfg.api_url = "http://127.0.0.1:8008/patroni";
        cfg.watchdog = watchdog_mode::off;
        cl.initialize = "7000000000000000001";
        dcs::config_record conf;
        conf.version = conf.modify_version = 1;
        conf.json = R"({"ttl":30})";
        cl.config = conf;
        cl.members = {member("n1"), member("n2"), member("n3")};
        cl.history = history_rec({});
        pg.data_dir_empty = false;
        pg.running = true;
        pg.accepting_connections = true;
        pg.role = pg::pg_role::replica;
        pg.state = pg::pg_state::running;
        pg.in_recovery = true;
        pg.timeline = 1;
        pg.system_identifier = 7000000000000000001ULL;
        pg.server_version = 150000;
        pg.receive_lsn = lsn{100};
        pg.replay_lsn = lsn{100};
        pg.controldata_state = "in archive recovery";
        st.role = node_role::replica;
        st.callback_fired = true;
        st.was_paused = false;
        in.now = t0;
        in.wall_now = wall_time{} + std::chrono::hours(24 * 365 * 50);
        in.facts.following = "n2";
    }

    void lock(const std::string& who)
    {
        dcs::leader_record l;
        l.name = who;
        l.version = 7;
        l.session = "s";
        cl.leader = l;
    }
    void as_primary()
    {
        pg.in_recovery = false;
        pg.role = pg::pg_role::primary;
        pg.write_lsn = lsn{100};
        pg.controldata_state = "in production";
        st.role = node_role::primary;
        in.facts.following.reset();
    }
    void peers(std::vector<peer_status> p) { in.peers = std::move(p); }

    transition run()
    {
        in.cluster = cl;
        in.local = pg;
        in.config = &cfg;
        auto t = decide(st, in);
        const node_role from = seeded_role(st, pg, in.facts);
        BOOST_TEST_INFO("role edge " << role_name(from) << " -> " << role_name(t.next.role));
        BOOST_TEST(is_legal(st.role, from));
        BOOST_TEST(is_legal(from, t.next.role));
        check_prefix_safety(t, pg.running && !pg.in_recovery);
        return t;
    }
};

inline std::vector<std::string> names(const transition& t)
{
    std::vector<std::string> out;
    for (const auto& a : t.actions) out.emplace_back(action_name(a));
    return out;
}

/// The action names without the publish_member every successful cycle writes
/// (at the end, or just before the first begin_background).
inline std::vector<std::string> core(const transition& t)
{
    auto n = names(t);
    auto it = std::find(n.rbegin(), n.rend(), std::string("publish_member"));
    if (it != n.rend()) n.erase(std::next(it).base());
    return n;
}

inline std::string joined(const std::vector<std::string>& v)
{
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
}

template <class A>
const A* find(const transition& t)
{
    for (const auto& a : t.actions)
        if (const auto* p = std::get_if<A>(&a)) return p;
    return nullptr;
}

inline std::size_t index_of(const transition& t, const std::string& name)
{
    auto n = names(t);
    return static_cast<std::size_t>(std::find(n.begin(), n.end(), name) - n.begin());
}

} // namespace ha_test
