// Daemon support code (see daemon_support.hpp).
#include "daemon_support.hpp"

#include <pgwarden/config/dynamic.hpp>
#include <pgwarden/dcs/codec.hpp>
#include <pgwarden/dcs/keys.hpp>
#include <pgwarden/http/base64.hpp>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace pgwarden::apps {
namespace json = boost::json;

namespace {

std::uint64_t to_u64(const json::value* v)
{
    if (!v) return 0;
    if (v->is_int64()) return static_cast<std::uint64_t>(std::max<std::int64_t>(0, v->as_int64()));
    if (v->is_uint64()) return v->as_uint64();
    if (v->is_string()) {
        try {
            return std::stoull(std::string(v->as_string()));
        } catch (...) {
            return 0;
        }
    }
    return 0;
}

bool truthy(const json::value* v)
{
    if (!v) return false;
    if (v->is_bool()) return v->as_bool();
    if (v->is_int64()) return v->as_int64() != 0;
    if (v->is_string()) {
        std::string s(v->as_string());
        for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return s == "on" || s == "true" || s == "yes" || s == "1";
    }
    return false;
}

api::pg_status pg_status_from(const ha::cycle_report& r)
{
    api::pg_status s;
    if (!r.local) {
        s.state = "unknown";
        s.role = pg::to_string(r.state.role);
        return s;
    }
    const auto& l = *r.local;
    s.state = pg::to_string(l.state);
    s.role = pg::to_string(r.state.role);
    if (r.state.role == pg::pg_role::uninitialized && l.role != pg::pg_role::uninitialized)
        s.role = pg::to_string(l.role);
    s.query_ok = l.running && l.accepting_connections;
    s.server_version = l.server_version;
    s.in_recovery = l.in_recovery;
    s.xlog_location = l.write_lsn.value;
    s.received_location = l.receive_lsn.value;
    s.replayed_location = l.replay_lsn.value;
    s.latest_end_lsn = l.receive_lsn.value;
    if (l.timeline > 0) s.timeline = l.in_recovery && l.received_timeline > 0 ? l.received_timeline : l.timeline;
    if (l.in_recovery && l.is_streaming) s.replication_state = "streaming";
    if (l.postmaster_start_us) s.postmaster_start_time = api::pg_timestamp{*l.postmaster_start_us, l.utc_offset_s};
    if (l.replay_timestamp_us) s.replayed_timestamp = api::pg_timestamp{*l.replay_timestamp_us, l.utc_offset_s};
    s.replay_paused = l.replay_paused;
    for (const auto& p : l.replication) {
        api::wal_sender w;
        w.application_name = p.application_name;
        w.state = p.state;
        w.sync_state = p.sync_state;
        s.replication.push_back(std::move(w));
    }
    return s;
}

} // namespace

ha::peer_status parse_peer_status(std::string name, std::string_view body)
{
    ha::peer_status p;
    p.name = std::move(name);
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) return p;
    const auto& o = v.as_object();
    const json::value* xlog = o.if_contains("xlog");
    if (!xlog) xlog = o.if_contains("wal");
    if (!xlog || !xlog->is_object()) return p;
    p.reachable = true;
    if (auto* role = o.if_contains("role"); role && role->is_string()) p.role = std::string(role->as_string());
    const auto& x = xlog->as_object();
    const std::uint64_t location = to_u64(x.if_contains("location"));
    p.in_recovery = !(location != 0 || p.role == "primary" || p.role == "master");
    if (!p.in_recovery) p.wal_position = lsn{location};
    else
        p.wal_position = lsn{std::max(to_u64(x.if_contains("received_location")),
                                      to_u64(x.if_contains("replayed_location")))};
    if (auto* tl = o.if_contains("timeline"); tl && (tl->is_int64() || tl->is_uint64()))
        p.timeline = static_cast<std::int64_t>(to_u64(tl));
    if (auto* tags = o.if_contains("tags"); tags && tags->is_object()) {
        const auto& t = tags->as_object();
        const json::value* nf = t.if_contains("nofailover");
        const json::value* fp = t.if_contains("failover_priority");
        std::optional<std::int64_t> prio;
        if (fp && (fp->is_int64() || fp->is_string())) prio = static_cast<std::int64_t>(to_u64(fp));
        if (fp && fp->is_int64()) prio = fp->as_int64();
        p.nofailover = nf ? truthy(nf) : (prio && *prio <= 0);
        p.failover_priority = p.nofailover ? 0 : prio.value_or(1);
    }
    p.watchdog_failed = truthy(o.if_contains("watchdog_failed"));
    return p;
}

api::restapi_settings restapi_settings_from(const config::local_config& c)
{
    api::restapi_settings s;
    const std::string auth = c.restapi.auth();
    if (!auth.empty()) s.auth_key = http::base64_encode(auth);
    for (const auto& a : c.restapi.allowlist)
        if (auto n = api::ip_network::parse(a)) s.allowlist.push_back(*n);
    s.allowlist_include_members = c.restapi.allowlist_include_members;
    s.tls = c.restapi.certfile.has_value();
    s.verify_client = c.restapi.verify_client != "none";
    for (const auto& [k, v] : c.restapi.http_extra_headers.items) s.extra_headers.emplace_back(k, v.text);
    return s;
}

api::api_view build_view(const ha::cycle_report& r, const view_context& ctx)
{
    const auto& cfg = *ctx.config;
    const auto& hc = *ctx.ha;
    api::api_view v;
    v.scope = cfg.local.scope;
    v.name = cfg.local.name;
    v.pg = pg_status_from(r);
    v.cluster = r.cluster;
    if (r.cluster) v.cluster_valid_until = r.mono + hc.ttl;
    v.leader_lock_until = r.state.leader_until;
    v.next_run = ctx.next_run;
    v.ttl = hc.ttl;
    v.dcs_last_seen = ctx.dcs_last_seen;
    v.paused = cfg.dynamic.pause;
    v.standby_cluster = hc.is_standby_cluster();
    v.failsafe_mode = cfg.dynamic.failsafe_mode;
    v.synchronous_mode = hc.synchronous_mode == ha::sync_mode::quorum ? api::sync_mode::quorum
                         : hc.synchronous_mode == ha::sync_mode::on   ? api::sync_mode::on
                                                                      : api::sync_mode::off;
    v.maximum_lag_on_failover = hc.maximum_lag_on_failover;
    v.loop_wait = hc.loop_wait;
    v.failsafe_active = r.state.failsafe_active;
    dcs::json_fields configured;
    const auto& t = cfg.local.tags;
    if (t.nofailover_set) configured.emplace_back("nofailover", t.nofailover ? "true" : "false");
    if (t.failover_priority) configured.emplace_back("failover_priority", std::to_string(*t.failover_priority));
    if (t.clonefrom) configured.emplace_back("clonefrom", "true");
    if (t.noloadbalance) configured.emplace_back("noloadbalance", "true");
    if (t.replicatefrom) configured.emplace_back("replicatefrom", json::serialize(json::string(*t.replicatefrom)));
    if (t.nosync_set) configured.emplace_back("nosync", t.nosync ? "true" : "false");
    if (t.sync_priority) configured.emplace_back("sync_priority", std::to_string(*t.sync_priority));
    if (t.nostream) configured.emplace_back("nostream", "true");
    for (const auto& kv : hc.tags.custom) configured.push_back(kv);
    v.tags = api::filter_tags(configured);
    v.effective_tags = v.tags;
    v.noloadbalance = t.noloadbalance;
    v.failover_priority = hc.tags.effective_failover_priority();
    if (r.local && r.local->system_identifier)
        v.database_system_identifier = std::to_string(*r.local->system_identifier);
    if (r.local)
        for (const auto& [guc, change] : r.local->pending_restart_reason)
            v.pending_restart_reasons.push_back(dcs::pending_restart_reason{guc, change.old_value, change.new_value});
    v.restapi = ctx.restapi;
    return v;
}

config::dynamic_config pick_dynamic(const config::local_config& local,
                                    const std::optional<std::string>& dcs_config_json,
                                    std::vector<std::string>* warnings)
{
    auto try_parse = [](const std::string& text) -> std::optional<config::dynamic_config> {
        if (text.empty()) return std::nullopt;
        auto d = config::parse_dynamic(text);
        if (!d) return std::nullopt;
        return *d;
    };
    std::optional<config::dynamic_config> d;
    if (dcs_config_json) d = try_parse(*dcs_config_json);
    if (!d) d = try_parse(read_dynamic_cache(local));
    if (!d && local.bootstrap) d = try_parse(local.bootstrap->dcs_json);
    if (!d) d = config::dynamic_config{};
    auto w = config::adjust_timeouts(*d);
    if (warnings) warnings->insert(warnings->end(), w.begin(), w.end());
    return *d;
}

pg::slot_plan desired_slots(const dcs::cluster_snapshot& cluster, const ha::ha_config& cfg, bool leader,
                            int server_version)
{
    pg::slot_plan plan;
    plan.paused = cfg.pause;
    const std::string mine = dcs::slot_name_from_member_name(cfg.name);
    const bool nofailover = cfg.tags.is_nofailover();
    const bool keep_all = server_version >= 110000 && cfg.member_slots_ttl.count() > 0;
    auto add = [&](const std::string& name) {
        if (name.empty() || name == mine) return;
        if (std::find(plan.physical.begin(), plan.physical.end(), name) == plan.physical.end())
            plan.physical.push_back(name);
    };
    for (const auto& m : cluster.members) {
        if (m.name == cfg.name) continue;
        const auto tags = dcs::interpret_tags(m.data.tags);
        if (tags.nostream) continue;
        const bool cascades_from_me = tags.replicatefrom && *tags.replicatefrom == cfg.name;
        bool keep;
        if (keep_all) keep = !nofailover || cascades_from_me;
        else if (leader) keep = !tags.replicatefrom || cascades_from_me || !cluster.find_member(*tags.replicatefrom);
        else keep = cascades_from_me;
        if (keep) add(dcs::slot_name_from_member_name(m.name));
    }
    if (cluster.status)
        for (const auto& n : cluster.status->retain_slots)
            if (n != mine || nofailover) add(n);
    if (!nofailover) {
        for (const auto& s : cfg.slots) {
            if (!dcs::is_valid_slot_name(s.name)) continue;
            if (!s.logical) {
                if (s.cluster_type && *s.cluster_type == (cfg.is_standby_cluster() ? "primary" : "standby")) continue;
                add(s.name);
            } else if (server_version >= 110000 && s.database && s.plugin) {
                // Primaries create them; replicas copy and advance them (ha-loop.md 14.2 step 6).
                plan.logical.push_back({s.name, *s.plugin, *s.database});
            }
        }
    }
    if (!leader && cluster.status)
        for (const auto& [n, l] : cluster.status->slots) plan.targets[n] = l;
    if (!leader && cluster.leader)
        if (const auto* m = cluster.find_member(cluster.leader->name); m && !m->data.conn_url.empty()) {
            pg::follow_target t;
            t.member = m->name;
            t.conn_url = m->data.conn_url;
            plan.primary = t;
        }
    for (const auto& r : cfg.ignore_slots) plan.ignore.push_back({r.name, r.type, r.database, r.plugin});
    return plan;
}

std::string read_dynamic_cache(const config::local_config& local)
{
    std::ifstream in(local.postgresql.data_dir + "/patroni.dynamic.json");
    if (!in) return {};
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_dynamic_cache(const config::local_config& local, const std::string& json)
{
    std::error_code ec;
    const std::filesystem::path dir(local.postgresql.data_dir);
    if (!std::filesystem::exists(dir / "PG_VERSION", ec)) return;
    const auto tmp = dir / "patroni.dynamic.json.tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << json;
        if (!out) return;
    }
    std::filesystem::rename(tmp, dir / "patroni.dynamic.json", ec);
}

} // namespace pgwarden::apps
