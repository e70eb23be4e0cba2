#pragma once
#include <pgwarden/dcs/etcd3/detail/wire.hpp>
#include <pgwarden/dcs/etcd3/error.hpp>
#include <pgwarden/http/base64.hpp>

#include <boost/json.hpp>

#include <array>
#include <charconv>

namespace pgwarden::dcs::etcd3::wire {
namespace detail {

namespace json = boost::json;
using http::base64_encode;

inline std::string b64(std::string_view s) { return base64_encode(s); }
inline std::string i64(std::int64_t v) { return std::to_string(v); }

/// An int64 field that the gateway writes as a string (or, leniently, a number).
inline std::int64_t get_i64(const json::object& o, std::string_view name) noexcept
{
    const auto* v = o.if_contains(name);
    if (!v) return 0;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
    if (v->is_string()) {
        const auto& s = v->get_string();
        std::int64_t out = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec == std::errc{} && p == s.data() + s.size()) return out;
        // uint64 IDs above INT64_MAX: keep the bits.
        std::uint64_t u = 0;
        auto [p2, ec2] = std::from_chars(s.data(), s.data() + s.size(), u);
        if (ec2 == std::errc{} && p2 == s.data() + s.size()) return static_cast<std::int64_t>(u);
    }
    return 0;
}

inline bool get_bool(const json::object& o, std::string_view name) noexcept
{
    const auto* v = o.if_contains(name);
    return v && v->is_bool() && v->get_bool();
}

inline std::string get_string(const json::object& o, std::string_view name)
{
    const auto* v = o.if_contains(name);
    if (v && v->is_string()) return std::string(v->get_string());
    if (v && (v->is_int64() || v->is_uint64())) return json::serialize(*v);
    return {};
}

inline std::optional<std::string> get_b64(const json::object& o, std::string_view name)
{
    const auto* v = o.if_contains(name);
    if (!v) return std::string{};
    if (!v->is_string()) return std::nullopt;
    return http::base64_decode(v->get_string());
}

inline std::optional<json::object> parse_object(std::string_view body)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object()) return std::nullopt;
    return std::move(v.get_object());
}

inline response_header header_of(const json::object& o)
{
    response_header h;
    if (const auto* hv = o.if_contains("header"); hv && hv->is_object()) {
        const auto& ho = hv->get_object();
        h.cluster_id = get_string(ho, "cluster_id");
        h.revision = get_i64(ho, "revision");
        h.raft_term = get_i64(ho, "raft_term");
    }
    return h;
}

inline std::optional<key_value> kv_of(const json::object& o)
{
    key_value kv;
    auto k = get_b64(o, "key");
    auto v = get_b64(o, "value");
    if (!k || !v) return std::nullopt;
    kv.key = std::move(*k);
    kv.value = std::move(*v);
    kv.create_revision = get_i64(o, "create_revision");
    kv.mod_revision = get_i64(o, "mod_revision");
    kv.version = get_i64(o, "version");
    kv.lease = get_i64(o, "lease");
    return kv;
}

inline json::object put_op(std::string_view key, std::string_view value, std::int64_t lease)
{
    json::object put;
    put["key"] = b64(key);
    put["value"] = b64(value);
    if (lease != 0) put["lease"] = i64(lease);
    json::object op;
    op["request_put"] = std::move(put);
    return op;
}

inline json::object delete_op(std::string_view key)
{
    json::object del;
    del["key"] = b64(key);
    json::object op;
    op["request_delete_range"] = std::move(del);
    return op;
}

inline json::object compare_create_absent(std::string_view key)
{
    return {{"key", b64(key)}, {"target", "CREATE"}, {"create_revision", "0"}};
}

inline json::object compare_mod(std::string_view key, std::int64_t rev)
{
    return {{"key", b64(key)}, {"target", "MOD"}, {"mod_revision", i64(rev)}};
}

inline json::object compare_value(std::string_view key, std::string_view value)
{
    return {{"key", b64(key)}, {"target", "VALUE"}, {"value", b64(value)}};
}

inline std::string txn(json::object compare, json::object success)
{
    json::object t;
    t["compare"] = json::array{std::move(compare)};
    t["success"] = json::array{std::move(success)};
    return json::serialize(t);
}

inline error_code bad() noexcept { return make_error_code(etcd3::error::bad_response); }

} // namespace detail

PGWARDEN_DECL std::string prefix_end(std::string_view prefix)
{
    std::string out(prefix);
    while (!out.empty()) {
        auto& last = reinterpret_cast<unsigned char&>(out.back());
        if (last < 0xFF) {
            ++last;
            return out;
        }
        out.pop_back();
    }
    return std::string(1, '\0');
}

PGWARDEN_DECL std::string range_request(std::string_view key, std::string_view range_end, bool serializable)
{
    boost::json::object o;
    o["key"] = detail::b64(key);
    if (!range_end.empty()) o["range_end"] = detail::b64(range_end);
    if (serializable) o["serializable"] = true;
    return boost::json::serialize(o);
}

PGWARDEN_DECL std::string put_request(std::string_view key, std::string_view value, std::int64_t lease)
{
    return boost::json::serialize(detail::put_op(key, value, lease).at("request_put"));
}

PGWARDEN_DECL std::string delete_request(std::string_view key, std::string_view range_end)
{
    boost::json::object o;
    o["key"] = detail::b64(key);
    if (!range_end.empty()) o["range_end"] = detail::b64(range_end);
    return boost::json::serialize(o);
}

PGWARDEN_DECL std::string create_txn(std::string_view key, std::string_view value, std::int64_t lease)
{
    return detail::txn(detail::compare_create_absent(key), detail::put_op(key, value, lease));
}

PGWARDEN_DECL std::string cas_put_txn(std::string_view key, std::string_view value, std::int64_t mod_revision,
                                      std::int64_t lease)
{
    return detail::txn(detail::compare_mod(key, mod_revision), detail::put_op(key, value, lease));
}

PGWARDEN_DECL std::string cas_delete_txn(std::string_view key, std::int64_t mod_revision)
{
    return detail::txn(detail::compare_mod(key, mod_revision), detail::delete_op(key));
}

PGWARDEN_DECL std::string leader_update_txn(std::string_view key, std::string_view name, std::int64_t lease)
{
    namespace json = boost::json;
    json::object inner;
    inner["compare"] = json::array{detail::compare_create_absent(key)};
    inner["success"] = json::array{detail::put_op(key, name, lease)};
    json::object failure;
    failure["request_txn"] = std::move(inner);
    json::object t;
    t["compare"] = json::array{detail::compare_value(key, name)};
    t["success"] = json::array{detail::put_op(key, name, lease)};
    t["failure"] = json::array{std::move(failure)};
    return json::serialize(t);
}

PGWARDEN_DECL std::string leader_delete_txn(std::string_view key, std::string_view name)
{
    return detail::txn(detail::compare_value(key, name), detail::delete_op(key));
}

PGWARDEN_DECL std::string lease_grant_request(std::int64_t ttl_s)
{
    boost::json::object o;
    o["TTL"] = ttl_s;
    return boost::json::serialize(o);
}

PGWARDEN_DECL std::string lease_id_request(std::int64_t id)
{
    boost::json::object o;
    o["ID"] = detail::i64(id);
    return boost::json::serialize(o);
}

PGWARDEN_DECL std::string watch_request(std::string_view key, std::string_view range_end,
                                        std::int64_t start_revision)
{
    namespace json = boost::json;
    json::object c;
    c["key"] = detail::b64(key);
    if (!range_end.empty()) c["range_end"] = detail::b64(range_end);
    if (start_revision > 0) c["start_revision"] = detail::i64(start_revision);
    c["filters"] = json::array{};
    json::object o;
    o["create_request"] = std::move(c);
    return json::serialize(o);
}

PGWARDEN_DECL std::string auth_request(std::string_view user, std::string_view password)
{
    boost::json::object o;
    o["name"] = user;
    o["password"] = password;
    return boost::json::serialize(o);
}

PGWARDEN_DECL result<range_response> parse_range(std::string_view body)
{
    auto o = detail::parse_object(body);
    if (!o) return detail::bad();
    range_response out;
    out.header = detail::header_of(*o);
    if (const auto* kvs = o->if_contains("kvs")) {
        if (!kvs->is_array()) return detail::bad();
        for (const auto& item : kvs->get_array()) {
            if (!item.is_object()) return detail::bad();
            auto kv = detail::kv_of(item.get_object());
            if (!kv) return detail::bad();
            out.kvs.push_back(std::move(*kv));
        }
    }
    return out;
}

PGWARDEN_DECL result<txn_response> parse_txn(std::string_view body)
{
    auto o = detail::parse_object(body);
    if (!o) return detail::bad();
    txn_response out;
    out.header = detail::header_of(*o);
    out.succeeded = detail::get_bool(*o, "succeeded");
    if (const auto* rs = o->if_contains("responses"); rs && rs->is_array() && !rs->get_array().empty()) {
        const auto& first = rs->get_array().front();
        if (first.is_object()) {
            if (const auto* rt = first.get_object().if_contains("response_txn"); rt && rt->is_object())
                out.nested_succeeded = detail::get_bool(rt->get_object(), "succeeded");
        }
    }
    return out;
}

PGWARDEN_DECL result<lease_response> parse_lease(std::string_view body)
{
    auto o = detail::parse_object(body);
    if (!o) return detail::bad();
    const boost::json::object* src = &*o;
    if (const auto* r = o->if_contains("result"); r && r->is_object()) src = &r->get_object();
    lease_response out;
    out.id = detail::get_i64(*src, "ID");
    out.ttl = detail::get_i64(*src, "TTL");
    if (out.id == 0) return detail::bad();
    return out;
}

PGWARDEN_DECL result<response_header> parse_header_only(std::string_view body)
{
    auto o = detail::parse_object(body);
    if (!o) return detail::bad();
    return detail::header_of(*o);
}

PGWARDEN_DECL result<std::string> parse_token(std::string_view body)
{
    auto o = detail::parse_object(body);
    if (!o) return detail::bad();
    auto t = detail::get_string(*o, "token");
    if (t.empty()) return detail::bad();
    return t;
}

PGWARDEN_DECL result<std::string> parse_version_prefix(std::string_view body)
{
    auto o = detail::parse_object(body);
    if (!o) return detail::bad();
    auto parse = [](const std::string& text) -> std::optional<std::array<int, 3>> {
        std::array<int, 3> v{0, 0, 0};
        std::size_t i = 0, pos = 0;
        while (i < 3 && pos < text.size()) {
            int n = 0;
            auto [p, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), n);
            if (ec != std::errc{}) break;
            v[i++] = n;
            pos = static_cast<std::size_t>(p - text.data());
            if (pos < text.size() && text[pos] == '.') ++pos;
            else break;
        }
        if (i < 2) return std::nullopt;
        return v;
    };
    auto cluster = parse(detail::get_string(*o, "etcdcluster"));
    auto server = parse(detail::get_string(*o, "etcdserver"));
    if (!server) return make_error_code(etcd3::error::unsupported_version);
    if (*server < std::array<int, 3>{3, 0, 4}) return make_error_code(etcd3::error::unsupported_version);
    const auto v = cluster ? *cluster : *server;
    if (v < std::array<int, 3>{3, 3, 0}) return std::string("/v3alpha");
    if (v < std::array<int, 3>{3, 4, 0}) return std::string("/v3beta");
    return std::string("/v3");
}

PGWARDEN_DECL result<std::vector<std::string>> parse_member_urls(std::string_view body)
{
    auto o = detail::parse_object(body);
    if (!o) return detail::bad();
    std::vector<std::string> out;
    if (const auto* ms = o->if_contains("members"); ms && ms->is_array()) {
        for (const auto& m : ms->get_array()) {
            if (!m.is_object()) continue;
            const auto* urls = m.get_object().if_contains("clientURLs");
            if (!urls || !urls->is_array()) continue;
            for (const auto& u : urls->get_array())
                if (u.is_string()) out.emplace_back(u.get_string());
        }
    }
    return out;
}

PGWARDEN_DECL result<std::vector<std::string>> parse_peer_members(std::string_view body)
{
    boost::system::error_code ec;
    auto v = detail::json::parse(body, ec);
    if (ec || !v.is_array()) return detail::bad();
    std::vector<std::string> out;
    for (const auto& m : v.get_array()) {
        if (!m.is_object()) continue;
        const auto* urls = m.get_object().if_contains("clientURLs");
        if (!urls || !urls->is_array()) continue;
        for (const auto& u : urls->get_array())
            if (u.is_string()) out.emplace_back(u.get_string());
    }
    return out;
}

PGWARDEN_DECL bool same_json(std::string_view a, std::string_view b)
{
    if (a == b) return true;
    boost::system::error_code ea, eb;
    auto va = detail::json::parse(a, ea);
    auto vb = detail::json::parse(b, eb);
    if (ea || eb) return false;
    return va == vb;
}

PGWARDEN_DECL bool term_guard::observe(std::string_view cluster_id, std::int64_t raft_term)
{
    if (cluster_id.empty() || raft_term == 0) return true;
    if (!cluster_id_.empty() && cluster_id_ != cluster_id) term_ = 0;   // another cluster: start over
    cluster_id_ = std::string(cluster_id);
    if (raft_term < term_) return false;
    term_ = raft_term;
    return true;
}

PGWARDEN_DECL std::vector<srv_query> srv_queries(std::string_view srv, std::string_view suffix)
{
    static constexpr std::string_view kinds[] = {"-client-ssl", "-client", "-ssl", "", "-server-ssl", "-server"};
    std::vector<srv_query> out;
    for (auto kind : kinds) {
        // As Patroni: the suffix joins the variant before the -ssl/-server
        // tests, so they look at the whole service name.
        std::string r(kind);
        if (!suffix.empty()) r += "-" + std::string(suffix);
        srv_query q;
        q.protocol = r.find("-ssl") != std::string::npos ? "https" : "http";
        q.peer = r.find("-server") != std::string::npos;
        q.name = "_etcd" + r + "._tcp." + std::string(srv);
        out.push_back(std::move(q));
    }
    return out;
}

PGWARDEN_DECL std::optional<grpc_status> parse_error(std::string_view body)
{
    auto o = detail::parse_object(body);
    if (!o) return std::nullopt;
    const auto* e = o->if_contains("error");
    if (!e) return std::nullopt;
    grpc_status st;
    if (e->is_object()) {   // streaming form
        const auto& eo = e->get_object();
        st.code = static_cast<int>(detail::get_i64(eo, "grpc_code"));
        st.message = detail::get_string(eo, "message");
        return st;
    }
    st.code = static_cast<int>(detail::get_i64(*o, "code"));
    st.message = detail::get_string(*o, "message");
    if (st.message.empty() && e->is_string()) st.message = std::string(e->get_string());
    return st;
}

PGWARDEN_DECL result<watch_message> parse_watch(std::string_view line)
{
    auto o = detail::parse_object(line);
    if (!o) return detail::bad();
    watch_message out;
    if (auto err = parse_error(line)) {
        out.error = std::move(err);
        out.canceled = true;
        return out;
    }
    const auto* r = o->if_contains("result");
    if (!r || !r->is_object()) return detail::bad();
    const auto& ro = r->get_object();
    out.header = detail::header_of(ro);
    out.created = detail::get_bool(ro, "created");
    out.canceled = detail::get_bool(ro, "canceled");
    out.compact_revision = detail::get_i64(ro, "compact_revision");
    if (const auto* evs = ro.if_contains("events"); evs && evs->is_array()) {
        for (const auto& ev : evs->get_array()) {
            if (!ev.is_object()) return detail::bad();
            const auto& eo = ev.get_object();
            watch_event we;
            we.is_delete = detail::get_string(eo, "type") == "DELETE";
            if (const auto* kv = eo.if_contains("kv"); kv && kv->is_object()) {
                auto parsed = detail::kv_of(kv->get_object());
                if (!parsed) return detail::bad();
                we.kv = std::move(*parsed);
            }
            out.events.push_back(std::move(we));
        }
    }
    return out;
}

PGWARDEN_DECL reaction classify(const grpc_status& st) noexcept
{
    const std::string_view m = st.message;
    auto has = [&](std::string_view s) { return m.find(s) != std::string_view::npos; };
    if (st.code == 14 || (st.code == 2 && has("not a primary lessor"))) return reaction::retry_other_node;
    if (has("requested lease not found")) return reaction::lease_not_found;
    if (has("authentication is not enabled")) return reaction::auth_not_enabled;
    if (has("invalid auth token") || has("revision of auth store is old") || has("user name is empty") ||
        has("permission denied"))
        return reaction::reauthenticate;
    if (st.code == 4 || st.code == 9) return reaction::retry;
    return reaction::fail;
}

} // namespace pgwarden::dcs::etcd3::wire
