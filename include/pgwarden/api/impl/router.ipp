#pragma once
#include <pgwarden/api/detail/py_json.hpp>
#include <pgwarden/api/detail/status.hpp>
#include <pgwarden/api/metrics.hpp>
#include <pgwarden/api/router.hpp>
#include <pgwarden/core/assert.hpp>
#include <pgwarden/core/mark.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>

namespace pgwarden::api {

namespace detail {

// ---------------------------------------------------------------- formatting

inline void put_2(std::string& out, unsigned v)
{
    out.push_back(static_cast<char>('0' + (v / 10) % 10));
    out.push_back(static_cast<char>('0' + v % 10));
}

/// Python str(datetime) of a tz-aware datetime: `YYYY-MM-DD HH:MM:SS[.ffffff]+HH:MM`.
inline void put_py_datetime(std::string& out, const pg_timestamp& t, char sep = ' ')
{
    using namespace std::chrono;
    const std::int64_t local_us = t.epoch_us + std::int64_t{t.utc_offset_s} * 1000000;
    const sys_time<microseconds> tp{microseconds{local_us}};
    const auto day = floor<days>(tp);
    const year_month_day ymd{day};
    const auto tod = tp - day;
    const auto h = duration_cast<hours>(tod);
    const auto m = duration_cast<minutes>(tod - h);
    const auto s = duration_cast<seconds>(tod - h - m);
    const auto us = (tod - h - m - s).count();
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u%c%02d:%02d:%02d", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), sep,
                  static_cast<int>(h.count()), static_cast<int>(m.count()), static_cast<int>(s.count()));
    out += buf;
    if (us != 0) {
        std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(us));
        out += buf;
    }
    std::int32_t off = t.utc_offset_s;
    out.push_back(off < 0 ? '-' : '+');
    if (off < 0) off = -off;
    put_2(out, static_cast<unsigned>(off / 3600));
    out.push_back(':');
    put_2(out, static_cast<unsigned>(off % 3600 / 60));
    if (off % 60 != 0) {
        out.push_back(':');
        put_2(out, static_cast<unsigned>(off % 60));
    }
}

/// A small builder for Python-style JSON objects.
class object_writer {
public:
    explicit object_writer(std::string& out) : out_(out) { out_.push_back('{'); }
    std::string& key(std::string_view k)
    {
        if (!first_) out_ += ", ";
        first_ = false;
        put_string(out_, k);
        out_ += ": ";
        return out_;
    }
    void str(std::string_view k, std::string_view v) { put_string(key(k), v); }
    void opt_str(std::string_view k, const std::optional<std::string>& v)
    {
        if (v) str(k, *v);
        else key(k) += "null";
    }
    void i64(std::string_view k, std::int64_t v) { put_int(key(k), v); }
    void u64(std::string_view k, std::uint64_t v) { put_uint(key(k), v); }
    void boolean(std::string_view k, bool v) { key(k) += v ? "true" : "false"; }
    void raw_json(std::string_view k, std::string_view json_text) { put_json_text(key(k), json_text); }
    void fields(std::string_view k, const dcs::json_fields& f)
    {
        auto& o = key(k);
        object_writer inner(o);
        for (const auto& [name, value] : f) inner.raw_json(name, value);
        inner.close();
    }
    void close() { out_.push_back('}'); }

private:
    std::string& out_;
    bool first_ = true;
};

inline void put_pending_restart_reason(std::string& out, const std::vector<dcs::pending_restart_reason>& rs)
{
    object_writer o(out);
    for (const auto& r : rs) {
        object_writer inner(o.key(r.name));
        inner.str("old_value", r.old_value);
        inner.str("new_value", r.new_value);
        inner.close();
    }
    o.close();
}

// ------------------------------------------------------------ the documents

/// The status document (rest-api.md 5.2, 5.3), as GET /patroni and the
/// health checks print it.
inline std::string build_status(const api_view& v, bool cluster_valid)
{
    std::string out;
    out.reserve(1024);
    object_writer o(out);
    const auto& pg = v.pg;
    o.str("state", pg.state);
    if (pg.query_ok) {
        if (pg.postmaster_start_time) {
            std::string ts;
            put_py_datetime(ts, *pg.postmaster_start_time);
            o.str("postmaster_start_time", ts);
        } else {
            o.key("postmaster_start_time") += "null";
        }
        o.str("role", pg.role);
        o.i64("server_version", pg.server_version);
        {
            object_writer x(o.key("xlog"));
            if (pg.in_recovery) {
                x.u64("received_location", pg.received_location);
                x.u64("replayed_location", pg.replayed_location);
                if (pg.replayed_timestamp) {
                    auto& s = x.key("replayed_timestamp");
                    std::string ts;
                    put_py_datetime(ts, *pg.replayed_timestamp);
                    put_string(s, ts);
                } else {
                    x.key("replayed_timestamp") += "null";
                }
                x.boolean("paused", pg.replay_paused);
            } else {
                x.u64("location", pg.xlog_location);
            }
            x.close();
        }
        const auto flags = status_sync_flags(v, cluster_valid);
        if (flags.quorum_standby) o.boolean("quorum_standby", true);
        if (flags.sync_standby) o.boolean("sync_standby", true);
        if (pg.timeline) o.i64("timeline", *pg.timeline);
        else o.key("timeline") += "null";
        if (pg.replication_state) o.str("replication_state", *pg.replication_state);
        if (!pg.replication.empty()) {
            auto& s = o.key("replication");
            s.push_back('[');
            bool first = true;
            for (const auto& r : pg.replication) {
                if (!first) s += ", ";
                first = false;
                object_writer e(s);
                e.opt_str("usename", r.usename);
                e.str("application_name", r.application_name);
                e.opt_str("client_addr", r.client_addr);
                e.str("state", r.state);
                e.str("sync_state", r.sync_state);
                e.i64("sync_priority", r.sync_priority);
                e.close();
            }
            s.push_back(']');
        }
    } else {
        o.str("role", pg.role);
    }
    if (v.paused) o.boolean("pause", true);
    if (status_cluster_unlocked(v, cluster_valid)) o.boolean("cluster_unlocked", true);
    if (v.failsafe_active) o.boolean("failsafe_mode_is_active", true);
    o.i64("dcs_last_seen", v.dcs_last_seen);
    // _write_status_response extras.
    if (!v.effective_tags.empty()) o.fields("tags", v.effective_tags);
    if (v.database_system_identifier) o.str("database_system_identifier", *v.database_system_identifier);
    if (!v.pending_restart_reasons.empty()) {
        o.boolean("pending_restart", true);
        put_pending_restart_reason(o.key("pending_restart_reason"), v.pending_restart_reasons);
    }
    {
        object_writer p(o.key("patroni"));
        p.str("version", v.version);
        p.str("scope", v.scope);
        p.str("name", v.name);
        p.close();
    }
    if (v.scheduled_restart) o.raw_json("scheduled_restart", *v.scheduled_restart);
    if (v.watchdog_failed) o.boolean("watchdog_failed", true);
    o.close();
    return out;
}

/// `%X/%X` of an LSN.
inline std::string format_lsn(std::uint64_t v) { return lsn{v}.to_text(); }

/// host and port of a member's conn_url (`postgres://u:p@host:port/db`).
struct host_port { std::string host; std::optional<std::int64_t> port; };

inline host_port parse_conn_url(std::string_view url)
{
    host_port hp;
    auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return hp;
    auto rest = url.substr(scheme + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
    std::string_view host = rest, port;
    if (!rest.empty() && rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string_view::npos) return hp;
        host = rest.substr(1, close - 1);
        if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
    } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    hp.host = std::string(host);
    std::int64_t p = 0;
    if (!port.empty()) {
        auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
        if (ec == std::errc{} && ptr == port.data() + port.size()) hp.port = p;
    }
    return hp;
}

/// GET /cluster (utils.cluster_as_json plus `scope`), rest-api.md 6.3.
inline std::string build_cluster(const api_view& v)
{
    std::string out;
    object_writer o(out);
    auto& arr = o.key("members");
    arr.push_back('[');
    if (v.cluster) {
        const auto& c = *v.cluster;
        const std::string leader = c.leader ? c.leader->name : std::string{};
        const std::uint64_t cluster_lsn = last_lsn(c);
        std::vector<const dcs::member_record*> members;
        for (const auto& m : c.members) members.push_back(&m);
        std::stable_sort(members.begin(), members.end(),
                         [](auto* a, auto* b) { return a->name < b->name; });
        bool first = true;
        for (const auto* m : members) {
            if (!first) arr += ", ";
            first = false;
            const auto& d = m->data;
            const bool is_leader = !leader.empty() && m->name == leader;
            std::string role;
            if (is_leader) role = v.standby_cluster ? "standby_leader" : "leader";
            else if (v.synchronous_mode != sync_mode::off && sync_matches(c, m->name))
                role = v.synchronous_mode == sync_mode::quorum ? "quorum_standby" : "sync_standby";
            else role = "replica";
            std::string state = role != "leader" && d.replication_state ? *d.replication_state : std::string{};
            if (state.empty()) state = d.state;
            object_writer e(arr);
            e.str("name", m->name);
            e.str("role", role);
            e.str("state", state);
            if (d.api_url.empty()) e.key("api_url") += "null";
            else e.str("api_url", d.api_url);
            auto hp = parse_conn_url(d.conn_url);
            if (!hp.host.empty()) {
                e.str("host", hp.host);
                if (hp.port && *hp.port != 0) e.i64("port", *hp.port);
            }
            if (d.timeline) e.i64("timeline", *d.timeline);
            if (d.pending_restart) e.boolean("pending_restart", true);
            if (!d.pending_restart_reasons.empty())
                put_pending_restart_reason(e.key("pending_restart_reason"), d.pending_restart_reasons);
            if (d.scheduled_restart) e.raw_json("scheduled_restart", *d.scheduled_restart);
            if (!d.tags.empty()) e.fields("tags", d.tags);
            if (!is_leader) {
                auto put_lsn = [&](std::string_view lsn_key, std::string_view lag_key,
                                   const std::optional<lsn>& value) {
                    if (!value || value->value == 0) {
                        e.str(lsn_key, "unknown");
                        e.str(lag_key, "unknown");
                        return;
                    }
                    // Python assigns the lag first, then the LSN.
                    e.u64(lag_key, cluster_lsn >= value->value ? cluster_lsn - value->value : 0);
                    e.str(lsn_key, format_lsn(value->value));
                };
                put_lsn("receive_lsn", "receive_lag", d.receive_lsn);
                put_lsn("replay_lsn", "replay_lag", d.replay_lsn);
                put_lsn("lsn", "lag", d.xlog_location);
            }
            e.close();
        }
    }
    arr.push_back(']');
    if (v.paused) o.boolean("pause", true);
    if (v.cluster && v.cluster->failover && v.cluster->failover->scheduled_at) {
        const auto& f = *v.cluster->failover;
        object_writer s(o.key("scheduled_switchover"));
        s.str("at", *f.scheduled_at);
        if (!f.leader.empty()) s.str("from", f.leader);
        if (!f.member.empty()) s.str("to", f.member);
        s.close();
    }
    o.str("scope", v.scope);
    o.close();
    return out;
}

inline std::string build_history(const api_view& v)
{
    std::string out = "[";
    if (v.cluster && v.cluster->history && v.cluster->history->parsed) {
        bool first = true;
        for (const auto& l : v.cluster->history->lines) {
            if (!first) out += ", ";
            first = false;
            out.push_back('[');
            put_int(out, l.parent_timeline);
            out += ", ";
            put_uint(out, l.switch_lsn.value);
            out += ", ";
            put_string(out, l.reason);
            if (l.timestamp) {
                out += ", ";
                put_string(out, *l.timestamp);
            }
            if (l.new_leader) {
                out += l.timestamp ? ", " : ", null, ";
                put_string(out, *l.new_leader);
            }
            out.push_back(']');
        }
    }
    out.push_back(']');
    return out;
}

inline std::optional<std::string> build_config(const api_view& v)
{
    if (!v.cluster || !v.cluster->config || v.cluster->config->modify_version == 0) return std::nullopt;
    boost::system::error_code ec;
    auto value = boost::json::parse(v.cluster->config->json, ec);
    if (ec || !value.is_object()) return std::nullopt;
    std::string out;
    put_value(out, value);
    return out;
}

inline std::optional<std::string> build_failsafe(const api_view& v)
{
    if (!v.cluster || !v.cluster->failsafe) return std::nullopt;
    std::string out;
    object_writer o(out);
    for (const auto& [name, url] : v.cluster->failsafe->members) o.str(name, url);
    o.close();
    return out;
}

// ---------------------------------------------------------------- requests

inline int hex_value(char c) noexcept
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// urllib.parse.unquote_plus.
inline std::string unquote_plus(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') out.push_back(' ');
        else if (s[i] == '%' && i + 2 < s.size() &&
                 hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else out.push_back(s[i]);
    }
    return out;
}

/// parse_qs: name -> first value, in first-seen order; blank values dropped.
using query_params = std::vector<std::pair<std::string, std::string>>;

inline query_params parse_query(std::string_view q)
{
    query_params out;
    while (!q.empty()) {
        auto amp = q.find('&');
        auto part = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        if (part.empty()) continue;
        auto eq = part.find('=');
        if (eq == std::string_view::npos) continue;   // strict_parsing=False: ignored
        auto value = part.substr(eq + 1);
        if (value.empty()) continue;                  // keep_blank_values=False
        auto name = unquote_plus(part.substr(0, eq));
        bool seen = false;
        for (const auto& [n, v] : out)
            if (n == name) seen = true;
        if (!seen) out.emplace_back(std::move(name), unquote_plus(value));
    }
    return out;
}

inline const std::string* find_param(const query_params& q, std::string_view name)
{
    for (const auto& [n, v] : q)
        if (n == name) return &v;
    return nullptr;
}

inline bool contains(std::string_view s, std::string_view needle) noexcept
{
    return s.find(needle) != std::string_view::npos;
}

/// Python str() of a JSON value as dateutil/strtol would see it.
inline std::string py_str(const boost::json::value& v)
{
    std::string s;
    switch (v.kind()) {
    case boost::json::kind::null: return "None";
    case boost::json::kind::bool_: return v.get_bool() ? "True" : "False";
    case boost::json::kind::string: return std::string(v.get_string());
    case boost::json::kind::double_: put_double(s, v.get_double()); return s;
    default: put_value(s, v); return s;
    }
}

inline bool py_truthy(const boost::json::value* v) noexcept
{
    if (!v) return false;
    switch (v->kind()) {
    case boost::json::kind::null: return false;
    case boost::json::kind::bool_: return v->get_bool();
    case boost::json::kind::int64: return v->get_int64() != 0;
    case boost::json::kind::uint64: return v->get_uint64() != 0;
    case boost::json::kind::double_: return v->get_double() != 0.0;
    case boost::json::kind::string: return !v->get_string().empty();
    case boost::json::kind::array: return !v->get_array().empty();
    case boost::json::kind::object: return !v->get_object().empty();
    }
    return false;
}

/// utils.parse_bool on str(value).
inline bool parse_bool_true(const boost::json::value* v)
{
    if (!v) return false;
    std::string s = py_str(*v);
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s == "on" || s == "true" || s == "yes" || s == "1";
}

/// Constant-time string comparison (hmac.compare_digest).
inline bool equal_constant_time(std::string_view a, std::string_view b) noexcept
{
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const std::size_t n = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

inline bool in_network(const ip_network& ip, const ip_network& net) noexcept
{
    if (ip.v6 != net.v6) return false;
    const int bits = net.prefix;
    const int full = bits / 8;
    if (std::memcmp(ip.address.data(), net.address.data(), static_cast<std::size_t>(full)) != 0) return false;
    if (bits % 8 == 0) return true;
    const auto mask = static_cast<unsigned char>(0xFF << (8 - bits % 8));
    return (ip.address[static_cast<std::size_t>(full)] & mask) == (net.address[static_cast<std::size_t>(full)] & mask);
}

} // namespace detail

// ------------------------------------------------------------- free helpers

PGWARDEN_DECL std::string_view reason_phrase(unsigned status) noexcept
{
    switch (status) {
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 422: return "Unprocessable Entity";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "???";
    }
}

namespace detail {
inline std::string_view explain_phrase(unsigned status) noexcept
{
    switch (status) {
    case 400: return "Bad request syntax or unsupported method";
    case 401: return "No permission -- see authorization schemes";
    case 403: return "Request forbidden -- authorization will not help";
    case 404: return "Nothing matches the given URI";
    case 409: return "Request conflict";
    case 411: return "Client must specify Content-Length";
    case 412: return "Precondition in headers is false";
    case 413: return "Entity is too large";
    case 414: return "URI is too long";
    case 422: return "";
    case 431: return "The server is unwilling to process the request because its header fields are too large";
    case 500: return "Server got itself in trouble";
    case 501: return "Server does not support this operation";
    case 502: return "Invalid responses from another server/proxy";
    case 503: return "The server cannot process the request due to a high load";
    default: return "???";
    }
}

/// html.escape(s, quote=False).
inline std::string html_escape(std::string_view s)
{
    std::string out;
    for (char c : s) {
        if (c == '&') out += "&amp;";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else out.push_back(c);
    }
    return out;
}
} // namespace detail

PGWARDEN_DECL response text_response(unsigned status, std::string body)
{
    response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

PGWARDEN_DECL response error_response(unsigned status, std::string_view method)
{
    response r;
    r.status = status;
    r.kind = response_kind::error_page;
    r.content_type = "text/html;charset=utf-8";
    std::string message(reason_phrase(status));
    if (status == 501) {
        message = "Unsupported method ('";
        message += method;
        message += "')";
        r.headers.emplace_back(":reason", message);   // the status line's reason phrase
    }
    char code[8];
    std::snprintf(code, sizeof code, "%u", status);
    r.body = "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n"
             "        <title>Error response</title>\n    </head>\n    <body>\n"
             "        <h1>Error response</h1>\n        <p>Error code: ";
    r.body += code;
    r.body += "</p>\n        <p>Message: ";
    r.body += detail::html_escape(message);
    r.body += ".</p>\n        <p>Error code explanation: ";
    r.body += code;
    r.body += " - ";
    r.body += detail::html_escape(detail::explain_phrase(status));
    r.body += ".</p>\n    </body>\n</html>\n";
    return r;
}

PGWARDEN_DECL std::string http_date(wall_time t)
{
    using namespace std::chrono;
    static constexpr const char* wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* mn[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const weekday w{day};
    const auto tod = floor<seconds>(t) - day;
    const auto h = duration_cast<hours>(tod);
    const auto m = duration_cast<minutes>(tod - h);
    const auto s = tod - h - m;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", wd[w.c_encoding()],
                  static_cast<unsigned>(ymd.day()), mn[static_cast<unsigned>(ymd.month()) - 1],
                  static_cast<int>(ymd.year()), static_cast<int>(h.count()), static_cast<int>(m.count()),
                  static_cast<int>(s.count()));
    return buf;
}

PGWARDEN_DECL bool write_head(std::string& out, const response& r, const restapi_settings& settings,
                              int http_minor, bool keep_alive, std::string_view date)
{
    const bool persistent = http_minor >= 1 && keep_alive && r.kind != response_kind::error_page;
    out += http_minor >= 1 ? "HTTP/1.1 " : "HTTP/1.0 ";
    char code[8];
    std::snprintf(code, sizeof code, "%u ", r.status);
    out += code;
    std::string_view reason = reason_phrase(r.status);
    for (const auto& [name, value] : r.headers)
        if (name == ":reason") reason = value;
    out += reason;
    out += "\r\n";
    auto header = [&](std::string_view name, std::string_view value) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    };
    auto length = [&](std::size_t n) {
        char buf[24];
        auto res = std::to_chars(buf, buf + sizeof buf, n);
        header("Content-Length", std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)));
    };
    switch (r.kind) {
    case response_kind::status_only:
        if (persistent) length(0);
        else if (http_minor >= 1) header("Connection", "close");
        break;
    case response_kind::error_page:
        header("Server", settings.server_header);
        header("Date", date);
        header("Connection", "close");
        header("Content-Type", r.content_type);
        length(r.body.size());
        break;
    case response_kind::normal:
        header("Server", settings.server_header);
        header("Date", date);
        for (const auto& [name, value] : r.headers)
            if (name != ":reason") header(name, value);
        if (!r.content_type.empty()) header("Content-Type", r.content_type);
        for (const auto& [name, value] : settings.extra_headers) header(name, value);
        if (persistent) length(r.head ? 0 : r.body_view().size());
        else if (http_minor >= 1) header("Connection", "close");
        break;
    }
    out += "\r\n";
    return persistent;
}

PGWARDEN_DECL std::string_view body_to_send(const response& r) noexcept
{
    if (r.head || r.kind == response_kind::status_only) return {};
    return r.body_view();
}

PGWARDEN_DECL std::optional<std::int64_t> parse_int(std::string_view value, std::string_view base_unit) noexcept
{
    // strip
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.remove_prefix(1);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.remove_suffix(1);
    std::string_view rest = value;
    double number = 0;
    bool have = false;
    // strtol, base 0: [+-]0x..., [+-]0[0-7]*, [+-][1-9][0-9]*
    {
        std::string_view s = value;
        bool neg = false;
        if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
            neg = s.front() == '-';
            s.remove_prefix(1);
        }
        int base = 10;
        std::size_t start = 0;
        if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && detail::hex_value(s[2]) >= 0) {
            base = 16;
            start = 2;
        } else if (!s.empty() && s[0] == '0') {
            base = 8;
        }
        std::size_t i = start;
        std::uint64_t acc = 0;
        while (i < s.size()) {
            int d = detail::hex_value(s[i]);
            if (d < 0 || d >= base) break;
            acc = acc * static_cast<unsigned>(base) + static_cast<unsigned>(d);
            ++i;
        }
        if (i > start) {
            have = true;
            number = neg ? -static_cast<double>(acc) : static_cast<double>(acc);
            rest = s.substr(i);
        }
    }
    if ((!have && !rest.empty() && rest.front() == '.') ||
        (!rest.empty() && (rest.front() == '.' || rest.front() == 'e' || rest.front() == 'E'))) {
        // strtod
        double d = 0;
        auto [ptr, ec] = std::from_chars(value.data() + (value.front() == '+' ? 1 : 0), value.data() + value.size(), d);
        if (ec != std::errc{}) return std::nullopt;
        number = d;
        have = true;
        rest = std::string_view(ptr, static_cast<std::size_t>(value.data() + value.size() - ptr));
    }
    if (!have) return std::nullopt;
    while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) rest.remove_prefix(1);
    if (rest.empty()) return static_cast<std::int64_t>(std::nearbyint(number));
    // Units, converted to the base unit (utils.convert_to_base_unit).
    struct unit { std::string_view name; double factor; };
    static constexpr unit memory[] = {{"B", 1}, {"kB", 1024.0}, {"MB", 1024.0 * 1024},
                                      {"GB", 1024.0 * 1024 * 1024}, {"TB", 1024.0 * 1024 * 1024 * 1024}};
    static constexpr unit time[] = {{"us", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"min", 60}, {"h", 3600}, {"d", 86400}};
    if (base_unit == "B") {
        for (const auto& u : memory)
            if (u.name == rest) return static_cast<std::int64_t>(std::nearbyint(number * u.factor));
    } else if (base_unit == "s") {
        for (const auto& u : time)
            if (u.name == rest) return static_cast<std::int64_t>(std::nearbyint(number * u.factor));
    }
    return std::nullopt;
}

PGWARDEN_DECL std::optional<parsed_schedule> parse_schedule(std::string_view s) noexcept
{
    using namespace std::chrono;
    auto num = [&](std::size_t pos, std::size_t len, int& out) {
        if (pos + len > s.size()) return false;
        int v = 0;
        for (std::size_t i = pos; i < pos + len; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            v = v * 10 + (s[i] - '0');
        }
        out = v;
        return true;
    };
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (!num(0, 4, y) || s.size() < 10 || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d))
        return std::nullopt;
    std::size_t pos = 10;
    std::int64_t micros = 0;
    if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
        if (!num(pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' || !num(pos + 4, 2, mi))
            return std::nullopt;
        pos += 6;
        if (pos < s.size() && s[pos] == ':') {
            if (!num(pos + 1, 2, sec)) return std::nullopt;
            pos += 3;
            if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
                ++pos;
                int digits = 0;
                while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
                    if (digits < 6) micros = micros * 10 + (s[pos] - '0');
                    ++digits;
                    ++pos;
                }
                if (digits == 0) return std::nullopt;
                for (int k = digits; k < 6; ++k) micros *= 10;
            }
        }
    }
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
    parsed_schedule out;
    std::int64_t offset_s = 0;
    if (pos < s.size() && s[pos] == ' ') ++pos;
    if (pos < s.size()) {
        if (s[pos] == 'Z' && pos + 1 == s.size()) {
            out.has_tz = true;
        } else if (s[pos] == '+' || s[pos] == '-') {
            const int sign = s[pos] == '-' ? -1 : 1;
            int oh = 0, om = 0;
            ++pos;
            if (!num(pos, 2, oh)) return std::nullopt;
            pos += 2;
            if (pos < s.size() && s[pos] == ':') ++pos;
            if (pos < s.size()) {
                if (!num(pos, 2, om)) return std::nullopt;
                pos += 2;
            }
            if (pos != s.size() || oh > 23 || om > 59) return std::nullopt;
            offset_s = sign * (oh * 3600 + om * 60);
            out.has_tz = true;
        } else {
            return std::nullopt;
        }
    }
    const auto local = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec};
    out.at = floor<milliseconds>(local - seconds{offset_s} + microseconds{micros});
    return out;
}

PGWARDEN_DECL std::string iso_format_utc(wall_time t)
{
    std::string out;
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    detail::put_py_datetime(out, pg_timestamp{us, 0}, 'T');
    return out;
}

PGWARDEN_DECL failover_check is_failover_possible(const dcs::cluster_snapshot& c, sync_mode mode,
                                                  const switchover_command& cmd)
{
    failover_check out;
    const bool strict_sync = mode == sync_mode::on;
    if (cmd.leader && !cmd.leader->empty() && (!c.leader || c.leader->name != *cmd.leader)) {
        out.error = "leader name does not match";
        return out;
    }
    if (cmd.candidate && !cmd.candidate->empty()) {
        if (cmd.action == "switchover" && strict_sync && !detail::sync_matches(c, *cmd.candidate)) {
            out.error = "candidate name does not match with sync_standby";
            return out;
        }
        for (const auto& m : c.members)
            if (m.name == *cmd.candidate) out.members_to_poll.push_back(m.name);
        if (out.members_to_poll.empty()) out.error = "candidate does not exists";
        return out;
    }
    if (strict_sync) {
        for (const auto& m : c.members)
            if (detail::sync_matches(c, m.name)) out.members_to_poll.push_back(m.name);
        if (out.members_to_poll.empty()) out.error = cmd.action + " is not possible: can not find sync_standby";
        return out;
    }
    // Patroni: `not cluster.leader or m.name != cluster.leader.name and m.api_url`.
    for (const auto& m : c.members)
        if (!c.leader || (m.name != c.leader->name && !m.data.api_url.empty()))
            out.members_to_poll.push_back(m.name);
    if (out.members_to_poll.empty())
        out.error = cmd.action + " is not possible: cluster does not have members except leader";
    return out;
}

// ------------------------------------------------------------------ router

PGWARDEN_DECL router::router(api_view view) : view_(std::move(view))
{
    status_[0] = detail::build_status(view_, false);
    status_[1] = detail::build_status(view_, true);
    metrics_[0] = render_metrics(view_, false);
    metrics_[1] = render_metrics(view_, true);
    cluster_ = detail::build_cluster(view_);
    history_ = detail::build_history(view_);
    config_ = detail::build_config(view_);
    failsafe_ = detail::build_failsafe(view_);
}

PGWARDEN_DECL bool router::cluster_valid(mono_time now) const noexcept
{
    return view_.cluster.has_value() && view_.cluster_valid_until && now < *view_.cluster_valid_until;
}

PGWARDEN_DECL bool router::is_leader(mono_time now) const noexcept
{
    return view_.leader_lock_until && now < *view_.leader_lock_until;
}

PGWARDEN_DECL response router::route(const request& req, const clock_reading& clock) const
{
    std::string_view target = req.target;
    if (auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
    std::string_view path = target, query;
    if (auto q = target.find('?'); q != std::string_view::npos) {
        path = target.substr(0, q);
        query = target.substr(q + 1);
    }
    // Patroni: mname = path.lstrip('/').split('/')[0]
    std::string_view segment = path;
    while (!segment.empty() && segment.front() == '/') segment.remove_prefix(1);
    segment = segment.substr(0, segment.find('/'));
    const std::string_view m = req.method;

    if (m == "GET") {
        if (segment == "liveness") return liveness(clock);
        if (segment == "readiness") return readiness(query, clock);
        if (segment == "patroni") {
            response r;
            r.content_type = "application/json";
            r.shared_body = &status_[cluster_valid(clock.now) ? 1 : 0];
            return r;
        }
        if (segment == "cluster" || segment == "history") {
            response r;
            r.content_type = "application/json";
            r.shared_body = segment == "cluster" ? &cluster_ : &history_;
            return r;
        }
        if (segment == "config" || segment == "failsafe") {
            const auto& doc = segment == "config" ? config_ : failsafe_;
            if (!doc) return error_response(502);
            response r;
            r.content_type = "application/json";
            r.shared_body = &*doc;
            return r;
        }
        if (segment == "metrics") {
            response r;
            r.content_type = "text/plain";
            r.shared_body = &metrics_[cluster_valid(clock.now) ? 1 : 0];
            return r;
        }
        return health(req, path, query, clock, false);
    }
    if (m == "HEAD" || m == "OPTIONS") {
        auto r = health(req, path, query, clock, true);
        r.head = m == "HEAD";
        return r;
    }
    return unsafe(req, m, segment, clock);
}

PGWARDEN_DECL response router::health(const request&, std::string_view path, std::string_view query,
                                      const clock_reading& clock, bool status_only) const
{
    if (path == "/") path = "/primary";
    const auto& pg = view_.pg;
    const bool valid = cluster_valid(clock.now);
    const auto params = detail::parse_query(query);

    // rest-api.md 3.1
    const std::uint64_t cluster_lsn = valid ? detail::last_lsn(*view_.cluster) : 0;
    const std::uint64_t leader_optime = std::max(cluster_lsn, pg.query_ok ? pg.latest_end_lsn : 0);
    const std::uint64_t replayed = pg.query_ok && pg.in_recovery ? pg.replayed_location : 0;
    std::optional<std::int64_t> max_lag;
    if (const auto* lag = detail::find_param(params, "lag")) max_lag = parse_int(*lag, "B");
    bool is_lagging = false;
    if (leader_optime != 0 && max_lag) {
        __extension__ using i128 = __int128;
        is_lagging = static_cast<i128>(leader_optime) > static_cast<i128>(replayed) + static_cast<i128>(*max_lag);
    }
    bool matches_replication_state = true;
    if (const auto* want = detail::find_param(params, "replication_state"))
        matches_replication_state = pg.query_ok && pg.replication_state && *pg.replication_state == *want;
    const auto flags = detail::status_sync_flags(view_, valid);

    // rest-api.md 3.2
    unsigned replica_code = !view_.noloadbalance && !is_lagging && pg.query_ok && pg.role == "replica" &&
                                    pg.state == "running" && matches_replication_state
                                ? 200 : 503;
    unsigned leader_code = 503, primary_code = 503, standby_leader_code = 503;
    if (!valid && view_.paused) {
        PGWARDEN_MARK("api: health while paused without DCS");
        leader_code = pg.role == "primary" || pg.role == "standby_leader" ? 200 : 503;
        primary_code = pg.role == "primary" ? 200 : 503;
        standby_leader_code = pg.role == "standby_leader" ? 200 : 503;
    } else if (is_leader(clock.now)) {
        leader_code = 200;
        if (view_.standby_cluster) {
            primary_code = replica_code = 503;
            standby_leader_code = pg.role == "replica" || pg.role == "standby_leader" ? 200 : 503;
        } else {
            primary_code = 200;
            standby_leader_code = 503;
        }
    }

    // rest-api.md 3.3
    using detail::contains;
    unsigned status = 503;
    bool ignore_tags = false;
    const bool leaderish_200 = primary_code == 200 || standby_leader_code == 200;
    if (contains(path, "standby_leader") || contains(path, "standby-leader")) {
        status = standby_leader_code;
        ignore_tags = true;
    } else if (contains(path, "leader")) {
        status = leader_code;
        ignore_tags = true;
    } else if (contains(path, "master") || contains(path, "primary") || contains(path, "read-write")) {
        status = primary_code;
        ignore_tags = true;
    } else if (contains(path, "replica")) {
        status = replica_code;
    } else if (contains(path, "read-only") && !contains(path, "sync") && !contains(path, "quorum")) {
        status = leaderish_200 ? 200 : replica_code;
    } else if (contains(path, "health")) {
        status = pg.state == "running" ? 200 : 503;
    } else if (valid) {
        if ((path == "/sync" || path == "/synchronous") && flags.sync_standby) status = replica_code;
        else if (path == "/quorum" && flags.quorum_standby) status = replica_code;
        else if ((path == "/async" || path == "/asynchronous") && !flags.sync_standby && !flags.quorum_standby)
            status = replica_code;
        else if (path == "/read-only-quorum") {
            if (leaderish_200) status = 200;
            else if (flags.quorum_standby) status = replica_code;
        } else if (path == "/read-only-sync" || path == "/read-only-synchronous") {
            if (leaderish_200) status = 200;
            else if (flags.sync_standby) status = replica_code;
        }
    }

    // rest-api.md 3.4
    if (!ignore_tags && status == 200) {
        for (const auto& [name, value] : params) {
            if (name.rfind("tag_", 0) != 0) continue;
            const std::string_view tag = std::string_view(name).substr(4);
            const std::string* instance = nullptr;
            for (const auto& [k, v] : view_.tags)
                if (k == tag) instance = &v;
            if (!instance || detail::json_text_as_tag_string(*instance) != value) {
                status = 503;
                break;
            }
        }
    }

    response r;
    r.status = status;
    if (status_only) {
        r.kind = response_kind::status_only;
        return r;
    }
    r.content_type = "application/json";
    r.shared_body = &status_[valid ? 1 : 0];
    return r;
}

PGWARDEN_DECL response router::liveness(const clock_reading& clock) const
{
    // Patroni: threshold is ttl on a running primary, 2*ttl otherwise.
    const bool primary = view_.pg.role == "primary" && view_.pg.state == "running";
    const auto threshold = primary ? view_.ttl : 2 * view_.ttl;
    response r;
    r.kind = response_kind::status_only;
    r.status = view_.paused || view_.next_run + threshold > clock.now ? 200 : 503;
    return r;
}

PGWARDEN_DECL response router::readiness(std::string_view query, const clock_reading& clock) const
{
    response r;
    r.kind = response_kind::status_only;
    r.status = 503;
    const auto& pg = view_.pg;
    if (is_leader(clock.now)) {
        r.status = 200;
        return r;
    }
    if (pg.state != "running") return r;
    if (!pg.query_ok || !pg.replication_state || *pg.replication_state != "streaming") return r;
    const bool valid = cluster_valid(clock.now);
    if (!valid && pg.latest_end_lsn == 0) {
        if (view_.failsafe_active) r.status = 200;
        return r;
    }
    const auto params = detail::parse_query(query);
    const std::uint64_t leader_optime = std::max(valid ? detail::last_lsn(*view_.cluster) : 0, pg.latest_end_lsn);
    const auto* mode = detail::find_param(params, "mode");
    const std::uint64_t location =
        !pg.in_recovery ? 0 : (mode && *mode == "write" ? pg.received_location : pg.replayed_location);
    __extension__ using i128 = __int128;
    const i128 lag = static_cast<i128>(leader_optime) - static_cast<i128>(location);
    std::optional<std::int64_t> max_lag;
    if (const auto* l = detail::find_param(params, "lag")) max_lag = parse_int(*l, "B");
    const i128 allowed = max_lag ? static_cast<i128>(*max_lag) : static_cast<i128>(view_.maximum_lag_on_failover);
    r.status = lag > allowed ? 503 : 200;
    return r;
}

PGWARDEN_DECL std::optional<response> router::check_access(const request& req, bool include_members) const
{
    const auto& s = view_.restapi;
    include_members = include_members && s.allowlist_include_members;
    if (!s.allowlist.empty() || include_members) {
        auto ip = ip_network::parse(req.peer_address);
        // Deliberate fix (docs/notes/rest-api.md): an IPv4-mapped IPv6 peer
        // is matched as the IPv4 address it carries.
        if (ip && ip->v6) {
            static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
            if (std::memcmp(ip->address.data(), mapped, 12) == 0) {
                ip_network v4;
                std::memcpy(v4.address.data(), ip->address.data() + 12, 4);
                ip = v4;
            }
        }
        bool allowed = false;
        if (ip) {
            for (const auto& net : s.allowlist) allowed = allowed || detail::in_network(*ip, net);
            if (include_members)
                for (const auto& net : s.member_networks) allowed = allowed || detail::in_network(*ip, net);
        }
        if (!allowed) return text_response(403, "Access is denied");
    }
    if (s.tls && s.verify_client && !req.client_cert_verified)
        return text_response(403, "client certificate required");
    if (!s.auth_key.empty()) {
        const char* reason = nullptr;
        if (!req.authorization) reason = "no auth header received";
        else if (req.authorization->rfind("Basic ", 0) != 0 ||
                 !detail::equal_constant_time(req.authorization->substr(6), s.auth_key))
            reason = "not authenticated";
        if (reason) {
            auto r = text_response(401, reason);
            r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Patroni\"");
            return r;
        }
    }
    return std::nullopt;
}

namespace detail {

/// _read_json_content: the parsed object, or the error response.
struct body_result {
    std::optional<boost::json::object> object;
    std::optional<response> error;
};

inline body_result read_json(const request& req, bool optional_body)
{
    body_result out;
    if (!req.content_length) {
        if (optional_body) out.object.emplace();
        else out.error = error_response(411);
        return out;
    }
    std::string_view cl = *req.content_length;
    while (!cl.empty() && cl.front() == ' ') cl.remove_prefix(1);
    while (!cl.empty() && cl.back() == ' ') cl.remove_suffix(1);
    std::uint64_t length = 0;
    if (!cl.empty()) {
        auto [ptr, ec] = std::from_chars(cl.data(), cl.data() + cl.size(), length);
        if (ec != std::errc{} || ptr != cl.data() + cl.size()) {
            out.error = error_response(400);
            return out;
        }
    }
    if (length == 0 && optional_body) {
        out.object.emplace();
        return out;
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(req.body, ec);
    if (!ec && v.is_object() && (!v.get_object().empty() || optional_body)) {
        out.object = std::move(v.get_object());
        return out;
    }
    out.error = error_response(400);
    return out;
}

inline const boost::json::value* get(const boost::json::object& o, std::string_view key)
{
    auto it = o.find(key);
    return it == o.end() ? nullptr : &it->value();
}

inline std::optional<std::string> get_truthy_string(const boost::json::object& o, std::string_view key)
{
    const auto* v = get(o, key);
    if (!py_truthy(v)) return std::nullopt;
    return py_str(*v);
}

/// APIHandler.parse_schedule: the error response, or the parsed instant.
inline std::variant<response, wall_time> check_schedule(const boost::json::value& value, std::string_view action,
                                                        wall_time now)
{
    std::optional<parsed_schedule> p;
    if (value.is_string()) p = parse_schedule(value.get_string());
    if (!p)
        return text_response(422, "Unable to parse scheduled timestamp. It should be in an unambiguous format, "
                                  "e.g. ISO 8601");
    if (!p->has_tz)
        return text_response(400, "Timezone information is mandatory for the scheduled " + std::string(action));
    if (p->at < now) return text_response(422, "Cannot schedule " + std::string(action) + " in the past");
    return p->at;
}

/// postgres_version_to_int's validation.
inline std::optional<std::string> check_postgres_version(const boost::json::value& v)
{
    const std::string text = py_str(v);
    std::vector<long> parts;
    std::string_view s = text;
    bool bad = !v.is_string();
    while (!bad) {
        auto dot = s.find('.');
        auto part = s.substr(0, dot);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        long n = 0;
        auto [ptr, ec] = std::from_chars(part.data() + (!part.empty() && part.front() == '+'), part.data() + part.size(), n);
        if (part.empty() || ec != std::errc{} || ptr != part.data() + part.size()) bad = true;
        else parts.push_back(n);
        if (dot == std::string_view::npos) break;
        s.remove_prefix(dot + 1);
    }
    if (bad) return "Invalid PostgreSQL version: " + text;
    if (parts.size() < 2 || (parts.size() == 2 && parts[0] < 10) || parts.size() > 3)
        return "Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: " + text;
    return std::nullopt;
}

inline std::string dump_object(const boost::json::object& o)
{
    std::string out;
    put_value(out, boost::json::value(o));
    return out;
}

} // namespace detail

PGWARDEN_DECL response router::unsafe(const request& req, std::string_view method, std::string_view seg,
                                      const clock_reading& clock) const
{
    auto with = [](command c, response r = {}) {
        r.cmd = std::move(c);
        return r;
    };
    const bool post = method == "POST";
    if (post && seg == "mpp") {   // not decorated with check_access in Patroni
        auto body = detail::read_json(req, false);
        if (body.error) return std::move(*body.error);
        return with(mpp_command{detail::dump_object(*body.object)}, text_response(200, "OK"));
    }
    const bool known = (post && (seg == "reload" || seg == "failsafe" || seg == "sigterm" || seg == "restart" ||
                                 seg == "reinitialize" || seg == "failover" || seg == "switchover" ||
                                 seg == "citus")) ||
                       ((method == "PATCH" || method == "PUT") && seg == "config") ||
                       (method == "DELETE" && (seg == "restart" || seg == "switchover"));
    if (!known) return error_response(501, method);

    if (auto denied = check_access(req, !(post && seg == "failsafe"))) return std::move(*denied);

    if (post && seg == "reload") return with(reload_command{}, text_response(202, "reload scheduled"));
    if (post && seg == "sigterm") return text_response(202, "shutdown scheduled");
    if (method == "DELETE")
        return seg == "restart" ? with(delete_restart_command{}) : with(delete_switchover_command{});
    if (post && seg == "failsafe") {
        if (!view_.failsafe_mode) return error_response(502);
        auto body = detail::read_json(req, false);
        if (body.error) return std::move(*body.error);
        return with(failsafe_command{detail::dump_object(*body.object)});
    }
    if (post && seg == "citus") {
        auto body = detail::read_json(req, false);
        if (body.error) return std::move(*body.error);
        return with(mpp_command{detail::dump_object(*body.object)}, text_response(200, "OK"));
    }
    if (seg == "config") {
        auto body = detail::read_json(req, false);
        if (body.error) return std::move(*body.error);
        std::string json = boost::json::serialize(*body.object);
        if (method == "PATCH") return with(patch_config_command{std::move(json)});
        return with(put_config_command{std::move(json)});
    }
    if (seg == "reinitialize") {
        auto body = detail::read_json(req, true);
        if (body.error) return std::move(*body.error);
        return with(reinitialize_command{detail::parse_bool_true(detail::get(*body.object, "force")),
                                         detail::parse_bool_true(detail::get(*body.object, "from_leader"))});
    }
    if (seg == "restart") {
        auto body = detail::read_json(req, true);
        if (body.error) return std::move(*body.error);
        const auto& o = *body.object;
        if (view_.paused && o.contains("schedule"))
            return text_response(500, "Can't schedule restart in the paused state");
        restart_command cmd;
        for (const auto& kv : o) {
            const std::string_view k = kv.key();
            if (k == "schedule") {
                auto r = detail::check_schedule(kv.value(), "restart", clock.wall_now);
                if (auto* err = std::get_if<response>(&r)) return std::move(*err);
                cmd.schedule = std::get<wall_time>(r);
                cmd.schedule_iso = iso_format_utc(*cmd.schedule);
            } else if (k == "role") {
                const auto& v = kv.value();
                if (!v.is_string() || (v.get_string() != "primary" && v.get_string() != "standby_leader" &&
                                       v.get_string() != "replica"))
                    return text_response(400, "PostgreSQL role should be either primary, standby_leader, or replica");
                cmd.role = std::string(v.get_string());
            } else if (k == "postgres_version") {
                if (auto err = detail::check_postgres_version(kv.value())) return text_response(400, *err);
                cmd.postgres_version = detail::py_str(kv.value());
            } else if (k == "timeout") {
                auto t = parse_int(detail::py_str(kv.value()), "s");
                if (!t || *t <= 0) return text_response(400, "Timeout should be a positive number of seconds");
                cmd.timeout_s = *t;
            } else if (k == "restart_pending") {
                cmd.restart_pending = true;
            } else {
                return text_response(400, "Unknown filter for the scheduled restart: " + std::string(k));
            }
        }
        return with(std::move(cmd));
    }
    // POST /failover, /switchover (rest-api.md 8.8, steps 1-5).
    auto body = detail::read_json(req, false);
    if (body.error) return std::move(*body.error);
    const auto& o = *body.object;
    switchover_command cmd;
    cmd.action = std::string(seg);
    cmd.leader = detail::get_truthy_string(o, "leader");
    cmd.candidate = detail::get_truthy_string(o, "candidate");
    if (!cmd.candidate) cmd.candidate = detail::get_truthy_string(o, "member");
    const auto* scheduled = detail::get(o, "scheduled_at");
    const bool has_schedule = detail::py_truthy(scheduled);
    if (cmd.action == "failover" && !cmd.candidate)
        return text_response(400, "Failover could be performed only to a specific candidate");
    if (cmd.action == "switchover" && !cmd.leader)
        return text_response(400, "Switchover could be performed only from a specific leader");
    if (has_schedule) {
        if (cmd.action == "failover") return text_response(400, "Failover can't be scheduled");
        if (view_.paused) return text_response(400, "Can't schedule switchover in the paused state");
        auto r = detail::check_schedule(*scheduled, cmd.action, clock.wall_now);
        if (auto* err = std::get_if<response>(&r)) return std::move(*err);
        cmd.scheduled_at = std::get<wall_time>(r);
        cmd.scheduled_at_iso = iso_format_utc(*cmd.scheduled_at);
    }
    if (view_.paused && !cmd.candidate)
        return text_response(400, "Switchover is possible only to a specific candidate in a paused state");
    if (cmd.action == "failover" && cmd.leader) {
        PGWARDEN_MARK("api: failover with leader becomes switchover");
        cmd.action = "switchover";
    }
    if (cmd.leader == cmd.candidate) return text_response(400, "Switchover target and source are the same");
    return with(std::move(cmd));
}

} // namespace pgwarden::api
