#pragma once
#include <pgwarden/dcs/codec.hpp>
#include <pgwarden/dcs/detail/utf8.hpp>
#include <pgwarden/dcs/keys.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace pgwarden::dcs {

namespace detail {

class codec_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "pgwarden.dcs.codec"; }
    std::string message(int ev) const override
    {
        switch (static_cast<codec_error>(ev)) {
        case codec_error::invalid_json: return "invalid JSON";
        case codec_error::wrong_type: return "wrong JSON type";
        case codec_error::invalid_value: return "invalid value";
        }
        return "unknown codec error";
    }
    boost::system::error_condition default_error_condition(int) const noexcept override
    {
        return make_error_condition(condition::invalid_response);
    }
};

} // namespace detail

PGWARDEN_DECL const boost::system::error_category& codec_category() noexcept
{
    static const detail::codec_category_impl cat;
    return cat;
}

namespace detail {

namespace json = boost::json;

// ------------------------------------------------------------------ writing

inline void append_hex4(std::string& out, unsigned v)
{
    static constexpr char digits[] = "0123456789abcdef";
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += digits[(v >> shift) & 0xF];
}

// Python's json.dumps(ensure_ascii=True) string escaping.
inline void write_string(std::string& out, std::string_view s)
{
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            // Decode one UTF-8 sequence; invalid bytes become U+FFFD.
            bool valid = true;
            std::uint32_t cp = next_code_point(s, i, &valid);
            if (!valid || cp < 0x80 || cp > 0x10FFFF) cp = 0xFFFD;
            if (cp >= 0x10000) {
                cp -= 0x10000;
                append_hex4(out, 0xD800 + (cp >> 10));
                append_hex4(out, 0xDC00 + (cp & 0x3FF));
            } else {
                append_hex4(out, cp);
            }
            continue;
        }
        ++i;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20 || c == 0x7F) append_hex4(out, c);
            else out += static_cast<char>(c);
        }
    }
    out += '"';
}

// Python's repr(float): shortest round-trip digits; fixed notation for
// exponents in [-4, 16), otherwise `d.ddde+XX`.
inline void write_double(std::string& out, double d)
{
    // JSON has no NaN; Boost.JSON 1.81 returns one for a zero mantissa with a
    // huge exponent (`0e1033`, computed as 0 * inf) whose true value is 0.
    if (std::isnan(d)) { out += "0.0"; return; }
    // Python writes Infinity, which Boost.JSON cannot read back; 1e999 reads
    // as infinity in both (an overflowing literal is how we got one anyway).
    if (std::isinf(d)) { out += d < 0 ? "-1e999" : "1e999"; return; }
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
    bool negative = false;
    if (!sci.empty() && sci.front() == '-') { negative = true; sci.remove_prefix(1); }
    const auto e_pos = sci.find('e');
    std::string_view mantissa = sci.substr(0, e_pos);
    int exponent = 0;
    std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exponent);
    std::string digits;
    for (char c : mantissa)
        if (c != '.') digits += c;
    if (negative) out += '-';
    if (exponent >= -4 && exponent < 16) {
        if (exponent >= 0) {
            const auto int_len = static_cast<std::size_t>(exponent) + 1;
            if (digits.size() <= int_len) {
                out += digits;
                out.append(int_len - digits.size(), '0');
                out += ".0";
            } else {
                out += digits.substr(0, int_len);
                out += '.';
                out += digits.substr(int_len);
            }
        } else {
            out += "0.";
            out.append(static_cast<std::size_t>(-exponent - 1), '0');
            out += digits;
        }
        return;
    }
    out += digits.substr(0, 1);
    if (digits.size() > 1) {
        out += '.';
        out += digits.substr(1);
    }
    out += 'e';
    out += exponent < 0 ? '-' : '+';
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
}

inline void write_value(std::string& out, const json::value& v)
{
    switch (v.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::int64: out += std::to_string(v.get_int64()); break;
    case json::kind::uint64: out += std::to_string(v.get_uint64()); break;
    case json::kind::double_: write_double(out, v.get_double()); break;
    case json::kind::string: write_string(out, v.get_string()); break;
    case json::kind::array: {
        out += '[';
        bool first = true;
        for (const auto& e : v.get_array()) {
            if (!first) out += ',';
            first = false;
            write_value(out, e);
        }
        out += ']';
        break;
    }
    case json::kind::object: {
        out += '{';
        bool first = true;
        for (const auto& kv : v.get_object()) {
            if (!first) out += ',';
            first = false;
            write_string(out, kv.key());
            out += ':';
            write_value(out, kv.value());
        }
        out += '}';
        break;
    }
    }
}

// Appends `"name":` (with a leading comma unless first).
inline void write_key(std::string& out, bool& first, std::string_view name)
{
    if (!first) out += ',';
    first = false;
    write_string(out, name);
    out += ':';
}

// ------------------------------------------------------------------ reading

inline const char* kind_name(const json::value& v) noexcept
{
    switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
    }
    return "value";
}

// Collects the first error (strict mode, `warnings == nullptr`) or every
// problem as a warning (lenient mode). Messages name the key and the field.
class field_reader {
public:
    field_reader(std::string_view key, codec_warnings* warnings) : key_(key), warnings_(warnings) {}

    bool strict() const noexcept { return warnings_ == nullptr; }
    bool failed() const noexcept { return ec_.failed(); }
    const error_code& error() const noexcept { return ec_; }
    const std::string& message() const noexcept { return message_; }

    /// Reports a problem. Returns true if the caller may go on (lenient mode).
    bool problem(codec_error e, std::string_view field, std::string_view what)
    {
        std::string text(key_);
        text += ": ";
        if (!field.empty()) {
            text += "field '";
            text += field;
            text += "': ";
        }
        text += what;
        if (strict()) {
            if (!ec_.failed()) {
                ec_ = make_error_code(e);
                message_ = std::move(text);
            }
            return false;
        }
        warnings_->push_back(std::move(text));
        return true;
    }

    bool type_problem(std::string_view field, std::string_view expected, const json::value& got)
    {
        std::string what = "expected ";
        what += expected;
        what += ", got ";
        what += kind_name(got);
        return problem(codec_error::wrong_type, field, what);
    }

    /// Copies the error out for a strict decoder.
    template <class T>
    result<T> fail(std::string* why) const
    {
        if (why) *why = message_;
        return ec_;
    }

private:
    std::string_view key_;
    codec_warnings* warnings_;
    error_code ec_;
    std::string message_;
};

// Parses JSON; reports invalid_json. Returns nullopt on failure.
inline std::optional<json::value> parse(field_reader& r, std::string_view text)
{
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) {
        std::string what = "invalid JSON: ";
        what += ec.message();
        r.problem(codec_error::invalid_json, {}, what);
        return std::nullopt;
    }
    return v;
}

inline std::optional<json::value> try_parse(std::string_view text) noexcept
{
    boost::system::error_code ec;
    try {
        json::value v = json::parse(text, ec);
        if (ec) return std::nullopt;
        return v;
    } catch (...) {   // only std::bad_alloc can get here
        return std::nullopt;
    }
}

// Decimal integer text with optional sign and surrounding blanks, as
// Python's int(str) accepts it.
inline std::optional<std::int64_t> parse_decimal(std::string_view s) noexcept
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    std::int64_t v = 0;
    auto res = std::from_chars(s.data(), s.data() + s.size(), v);
    if (res.ec != std::errc{} || res.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

// An integer from a JSON integer, an integral double, or a decimal string.
inline std::optional<std::int64_t> to_int64(const json::value& v) noexcept
{
    switch (v.kind()) {
    case json::kind::int64: return v.get_int64();
    case json::kind::uint64:
        if (v.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return std::nullopt;
        return static_cast<std::int64_t>(v.get_uint64());
    case json::kind::double_: {
        const double d = v.get_double();
        if (!(d >= -9.2e18 && d <= 9.2e18) || std::trunc(d) != d) return std::nullopt;
        return static_cast<std::int64_t>(d);
    }
    case json::kind::string: return parse_decimal(v.get_string());
    default: return std::nullopt;
    }
}

// Reads an integer field. Returns false when the caller must stop (strict).
inline bool get_int(field_reader& r, const json::value& v, std::string_view field, std::optional<std::int64_t>& out)
{
    if (v.is_null()) return true;
    if (auto i = to_int64(v)) {
        out = *i;
        return true;
    }
    if (v.is_string() || v.is_number())
        return r.problem(codec_error::invalid_value, field, std::string("not an integer: ") + to_patroni_json(v));
    return r.type_problem(field, "integer", v);
}

// An LSN: a non-negative integer (JSON or decimal string) or `X/Y` text.
inline bool get_lsn(field_reader& r, const json::value& v, std::string_view field, std::optional<lsn>& out)
{
    if (v.is_null()) return true;
    if (v.is_uint64()) {
        out = lsn{v.get_uint64()};
        return true;
    }
    if (v.is_string()) {
        if (auto l = lsn::parse(v.get_string())) {
            out = *l;
            return true;
        }
    }
    if (v.is_int64() || v.is_string() || v.is_double()) {
        auto i = to_int64(v);
        if (i && *i >= 0) {
            out = lsn{static_cast<std::uint64_t>(*i)};
            return true;
        }
        return r.problem(codec_error::invalid_value, field, std::string("not an LSN: ") + to_patroni_json(v));
    }
    return r.type_problem(field, "integer", v);
}

inline bool get_string(field_reader& r, const json::value& v, std::string_view field,
                       std::optional<std::string>& out)
{
    if (v.is_null()) return true;
    if (!v.is_string()) return r.type_problem(field, "string", v);
    out = std::string(v.get_string());
    return true;
}

inline bool get_string(field_reader& r, const json::value& v, std::string_view field, std::string& out)
{
    std::optional<std::string> s;
    if (!get_string(r, v, field, s)) return false;
    if (s) out = std::move(*s);
    return true;
}

inline bool truthy(const json::value& v) noexcept
{
    switch (v.kind()) {
    case json::kind::null: return false;
    case json::kind::bool_: return v.get_bool();
    case json::kind::int64: return v.get_int64() != 0;
    case json::kind::uint64: return v.get_uint64() != 0;
    case json::kind::double_: return v.get_double() != 0.0;
    case json::kind::string: return !v.get_string().empty();
    case json::kind::array: return !v.get_array().empty();
    case json::kind::object: return !v.get_object().empty();
    }
    return false;
}

// A boolean field; lenient mode takes Python truthiness of other types.
inline bool get_bool(field_reader& r, const json::value& v, std::string_view field, bool& out)
{
    if (v.is_bool()) {
        out = v.get_bool();
        return true;
    }
    if (v.is_null()) return true;
    if (!r.type_problem(field, "boolean", v)) return false;
    out = truthy(v);
    return true;
}

// ------------------------------------------------------------------ member

inline void read_member_object(field_reader& r, const json::object& obj, member_data& m)
{
    for (const auto& kv : obj) {
        const std::string_view name = kv.key();
        const json::value& v = kv.value();
        bool go = true;
        if (name == "conn_url") go = get_string(r, v, name, m.conn_url);
        else if (name == "api_url") go = get_string(r, v, name, m.api_url);
        else if (name == "state") go = get_string(r, v, name, m.state);
        else if (name == "role") go = get_string(r, v, name, m.role);
        else if (name == "version") go = get_string(r, v, name, m.version);
        else if (name == "proxy_url") go = get_string(r, v, name, m.proxy_url);
        else if (name == "replication_state") go = get_string(r, v, name, m.replication_state);
        else if (name == "checkpoint_after_promote") {
            bool b = false;
            go = get_bool(r, v, name, b);
            if (!v.is_null()) m.checkpoint_after_promote = b;
        } else if (name == "pending_restart") go = get_bool(r, v, name, m.pending_restart);
        else if (name == "pause") go = get_bool(r, v, name, m.pause);
        else if (name == "xlog_location") go = get_lsn(r, v, name, m.xlog_location);
        else if (name == "replay_lsn") go = get_lsn(r, v, name, m.replay_lsn);
        else if (name == "receive_lsn") go = get_lsn(r, v, name, m.receive_lsn);
        else if (name == "timeline") go = get_int(r, v, name, m.timeline);
        else if (name == "tags") {
            if (v.is_object()) {
                for (const auto& t : v.get_object())
                    m.tags.emplace_back(std::string(t.key()), to_patroni_json(t.value()));
            } else if (!v.is_null()) {
                go = r.type_problem(name, "object", v);
            }
        } else if (name == "scheduled_restart") {
            if (v.is_object()) m.scheduled_restart = to_patroni_json(v);
            else if (!v.is_null()) go = r.type_problem(name, "object", v);
        } else if (name == "pending_restart_reason") {
            if (v.is_object()) {
                for (const auto& p : v.get_object()) {
                    pending_restart_reason reason;
                    reason.name = std::string(p.key());
                    if (!p.value().is_object()) {
                        std::string field = "pending_restart_reason." + reason.name;
                        go = r.type_problem(field, "object", p.value());
                        if (!go) break;
                        continue;
                    }
                    const auto& po = p.value().get_object();
                    auto text_of = [](const json::value* x) {
                        if (!x || x->is_null()) return std::string();
                        if (x->is_string()) return std::string(x->get_string());
                        return to_patroni_json(*x);
                    };
                    reason.old_value = text_of(po.if_contains("old_value"));
                    reason.new_value = text_of(po.if_contains("new_value"));
                    m.pending_restart_reasons.push_back(std::move(reason));
                }
            } else if (!v.is_null()) {
                go = r.type_problem(name, "object", v);
            }
        } else {
            m.extra.emplace_back(std::string(name), to_patroni_json(v));
        }
        if (!go) return;
    }
}

inline member_data member_from_text(field_reader& r, std::string_view text)
{
    member_data m;
    if (auto legacy = parse_legacy_member_url(text)) {
        m.conn_url = std::move(legacy->first);
        m.api_url = std::move(legacy->second);
    } else if (auto v = parse(r, text)) {
        if (v->is_object()) read_member_object(r, v->get_object(), m);
        else r.type_problem({}, "object", *v);
    }
    if (r.failed()) return m;
    if (m.state.empty()) m.state = "unknown";
    if (m.role == "master") m.role = "primary";
    return m;
}

// ------------------------------------------------------------------ sync

inline sync_record sync_from_text(field_reader& r, std::string_view text)
{
    sync_record s;
    auto v = parse(r, text);
    if (!v) return s;
    if (!v->is_object()) {
        r.type_problem({}, "object", *v);
        return s;
    }
    const auto& obj = v->get_object();
    std::string leader;
    if (const auto* l = obj.if_contains("leader")) {
        if (!get_string(r, *l, "leader", leader)) return s;
        if (!l->is_string() && !l->is_null()) return s;   // lenient: empty state
    }
    if (leader.empty()) return s;   // Patroni: empty unless `leader` is truthy
    std::optional<std::int64_t> quorum;
    if (const auto* q = obj.if_contains("quorum")) {
        if (!get_int(r, *q, "quorum", quorum)) return s;
        // Patroni: int(quorum) raising => the whole state is empty.
        if (!quorum && truthy(*q)) return s;
    }
    if (const auto* ss = obj.if_contains("sync_standby")) {
        std::optional<std::string> joined;
        if (!get_string(r, *ss, "sync_standby", joined)) return s;
        if (joined) {
            std::string_view rest = *joined;
            while (true) {
                auto comma = rest.find(',');
                auto part = rest.substr(0, comma);
                while (!part.empty() && std::isspace(static_cast<unsigned char>(part.front()))) part.remove_prefix(1);
                while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back()))) part.remove_suffix(1);
                if (!part.empty()) s.sync_standby.emplace_back(part);
                if (comma == std::string_view::npos) break;
                rest.remove_prefix(comma + 1);
            }
        }
    }
    s.leader = std::move(leader);
    s.quorum = quorum.value_or(0);
    return s;
}

// ------------------------------------------------------------------ failover

inline failover_record failover_from_text(field_reader& r, std::string_view text)
{
    failover_record f;
    if (text.empty()) return f;
    auto v = try_parse(text);
    if (!v) {
        // Legacy `leader[:member]`, split on ':' with blanks trimmed.
        auto trim = [](std::string_view s) {
            while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
            while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
            return std::string(s);
        };
        auto colon = text.find(':');
        f.leader = trim(text.substr(0, colon));
        if (colon != std::string_view::npos) {
            auto rest = text.substr(colon + 1);
            f.member = trim(rest.substr(0, rest.find(':')));
        }
        return f;
    }
    if (!v->is_object()) return f;   // any other JSON value is {}
    const auto& obj = v->get_object();
    if (const auto* x = obj.if_contains("leader"))
        if (!get_string(r, *x, "leader", f.leader)) return f;
    if (const auto* x = obj.if_contains("member"))
        if (!get_string(r, *x, "member", f.member)) return f;
    if (const auto* x = obj.if_contains("scheduled_at")) {
        if (!get_string(r, *x, "scheduled_at", f.scheduled_at)) return f;
        if (f.scheduled_at && f.scheduled_at->empty()) f.scheduled_at.reset();
    }
    return f;
}

// ------------------------------------------------------------------ history

// One line; returns nullopt (after reporting) if it cannot be used.
inline std::optional<history_line> history_line_from(field_reader& r, const json::value& v, std::size_t index)
{
    const std::string field = "[" + std::to_string(index) + "]";
    if (!v.is_array()) {
        r.type_problem(field, "array", v);
        return std::nullopt;
    }
    const auto& a = v.get_array();
    if (a.size() < 2) {
        r.problem(codec_error::invalid_value, field, "expected 3 to 5 items, got " + std::to_string(a.size()));
        return std::nullopt;
    }
    if (a.size() < 3 || a.size() > 5) {
        if (!r.problem(codec_error::invalid_value, field,
                       "expected 3 to 5 items, got " + std::to_string(a.size())))
            return std::nullopt;
    }
    history_line line;
    std::optional<std::int64_t> tl;
    const auto f0 = field + "[0]";
    if (!get_int(r, a[0], f0, tl)) return std::nullopt;
    if (!tl) {
        if (a[0].is_null()) r.type_problem(f0, "integer", a[0]);
        return std::nullopt;
    }
    line.parent_timeline = *tl;
    std::optional<lsn> at;
    const auto f1 = field + "[1]";
    if (!get_lsn(r, a[1], f1, at)) return std::nullopt;
    line.switch_lsn = at.value_or(lsn{});
    if (a.size() > 2) {
        const auto f2 = field + "[2]";
        if (a[2].is_string()) line.reason = std::string(a[2].get_string());
        else if (!a[2].is_null()) {
            if (!r.type_problem(f2, "string", a[2])) return std::nullopt;
            line.reason = to_patroni_json(a[2]);
        }
    }
    if (a.size() > 3)
        if (!get_string(r, a[3], field + "[3]", line.timestamp)) return std::nullopt;
    if (a.size() > 4)
        if (!get_string(r, a[4], field + "[4]", line.new_leader)) return std::nullopt;
    return line;
}

inline history_record history_from_text(field_reader& r, std::string_view text)
{
    history_record h;
    auto v = parse(r, text);
    if (!v) return h;
    if (!v->is_array()) {
        r.type_problem({}, "array", *v);
        return h;
    }
    const auto& a = v->get_array();
    bool last_ok = false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto line = history_line_from(r, a[i], i);
        if (r.failed()) return h;
        last_ok = line.has_value();
        if (line) h.lines.push_back(std::move(*line));
    }
    // Patroni: timeline = int(lines[-1][0]) + 1, or 1 for exactly `[]`.
    h.parsed = a.empty() ? text == "[]" : last_ok;
    if (a.empty() && !h.parsed && !r.strict())
        r.problem(codec_error::invalid_value, {}, "an empty history other than exactly '[]' means timeline 0");
    return h;
}

// ------------------------------------------------------------------ status

inline status_record status_from_text(field_reader& r, std::string_view text)
{
    status_record s;
    auto v = parse(r, text);
    if (!v) return s;
    if (v->is_int64() || v->is_uint64()) {   // legacy: a bare optime
        std::optional<lsn> o;
        if (get_lsn(r, *v, "optime", o)) s.optime = o.value_or(lsn{});
        return s;
    }
    if (!v->is_object()) {
        r.type_problem({}, "object", *v);
        return s;
    }
    const auto& obj = v->get_object();
    if (const auto* o = obj.if_contains("optime")) {
        std::optional<lsn> opt;
        if (!get_lsn(r, *o, "optime", opt)) return s;
        s.optime = opt.value_or(lsn{});
    }
    // `slots` / `retain_slots` may be JSON strings containing the JSON.
    auto unwrap = [&](const json::value* x, std::string_view field) -> std::optional<json::value> {
        if (!x || x->is_null()) return std::nullopt;
        if (!x->is_string()) return *x;
        auto inner = try_parse(x->get_string());
        if (!inner) r.problem(codec_error::invalid_json, field, "string does not contain JSON");
        return inner;
    };
    if (auto slots = unwrap(obj.if_contains("slots"), "slots")) {
        if (!slots->is_object()) {
            if (!r.type_problem("slots", "object", *slots)) return s;
        } else {
            for (const auto& kv : slots->get_object()) {
                std::optional<lsn> at;
                const std::string field = "slots." + std::string(kv.key());
                if (!get_lsn(r, kv.value(), field, at)) return s;
                s.slots.emplace_back(std::string(kv.key()), at.value_or(lsn{}));
            }
        }
    }
    if (r.failed()) return s;
    if (auto retain = unwrap(obj.if_contains("retain_slots"), "retain_slots")) {
        if (!retain->is_array()) {
            if (!r.type_problem("retain_slots", "array", *retain)) return s;
        } else {
            for (const auto& e : retain->get_array()) {
                if (!e.is_string()) {
                    if (!r.type_problem("retain_slots[]", "string", e)) return s;
                    continue;
                }
                s.retain_slots.emplace_back(e.get_string());
            }
        }
    }
    return s;
}

// ------------------------------------------------------------------ failsafe

inline std::optional<failsafe_record> failsafe_from_text(field_reader& r, std::string_view text)
{
    auto v = parse(r, text);
    if (!v) return std::nullopt;
    if (!v->is_object()) {
        r.type_problem({}, "object", *v);
        return std::nullopt;
    }
    failsafe_record f;
    for (const auto& kv : v->get_object()) {
        if (!kv.value().is_string()) {
            if (!r.type_problem(kv.key(), "string", kv.value())) return std::nullopt;
            continue;
        }
        f.members.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
    }
    return f;
}

// Runs a strict decoder body.
template <class T, class F>
result<T> strict_decode(std::string_view key, std::string* why, F&& body)
{
    field_reader r(key, nullptr);
    T value = body(r);
    if (r.failed()) return r.template fail<T>(why);
    return value;
}

// Percent-decoding as Python's unquote_plus.
inline std::string unquote_plus(std::string_view s)
{
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') out += ' ';
        else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else out += s[i];
    }
    return out;
}

} // namespace detail

// ====================================================================== API

PGWARDEN_DECL result<member_data> decode_member(std::string_view key, std::string_view text, std::string* why)
{
    return detail::strict_decode<member_data>(key, why, [&](auto& r) { return detail::member_from_text(r, text); });
}

PGWARDEN_DECL result<sync_record> decode_sync(std::string_view key, std::string_view text, std::string* why)
{
    return detail::strict_decode<sync_record>(key, why, [&](auto& r) { return detail::sync_from_text(r, text); });
}

PGWARDEN_DECL result<failover_record> decode_failover(std::string_view key, std::string_view text, std::string* why)
{
    return detail::strict_decode<failover_record>(key, why,
                                                  [&](auto& r) { return detail::failover_from_text(r, text); });
}

PGWARDEN_DECL result<history_record> decode_history(std::string_view key, std::string_view text, std::string* why)
{
    return detail::strict_decode<history_record>(key, why,
                                                 [&](auto& r) { return detail::history_from_text(r, text); });
}

PGWARDEN_DECL result<status_record> decode_status(std::string_view key, std::string_view text, std::string* why)
{
    return detail::strict_decode<status_record>(key, why, [&](auto& r) { return detail::status_from_text(r, text); });
}

PGWARDEN_DECL result<failsafe_record> decode_failsafe(std::string_view key, std::string_view text, std::string* why)
{
    return detail::strict_decode<failsafe_record>(key, why, [&](auto& r) {
        return detail::failsafe_from_text(r, text).value_or(failsafe_record{});
    });
}

PGWARDEN_DECL result<config_record> decode_config(std::string_view key, std::string_view text, std::string* why)
{
    auto obj = parse_json_object(key, text, why);
    if (!obj) return obj.error();
    config_record c;
    c.json = std::string(text);
    return c;
}

PGWARDEN_DECL result<lsn> decode_legacy_optime(std::string_view key, std::string_view text, std::string* why)
{
    auto v = detail::parse_decimal(text);
    if (!v || *v < 0) {
        detail::field_reader r(key, nullptr);
        r.problem(codec_error::invalid_value, {}, "expected a decimal LSN, got '" + std::string(text.substr(0, 64)) + "'");
        return r.fail<lsn>(why);
    }
    return lsn{static_cast<std::uint64_t>(*v)};
}

PGWARDEN_DECL result<boost::json::object> parse_json_object(std::string_view key, std::string_view text,
                                                            std::string* why)
{
    detail::field_reader r(key, nullptr);
    auto v = detail::parse(r, text);
    if (!v) return r.fail<boost::json::object>(why);
    if (!v->is_object()) {
        r.type_problem({}, "object", *v);
        return r.fail<boost::json::object>(why);
    }
    return std::move(v->get_object());
}

PGWARDEN_DECL member_data read_member(std::string_view key, std::string_view text, codec_warnings& warnings)
{
    detail::field_reader r(key, &warnings);
    auto m = detail::member_from_text(r, text);
    if (m.state.empty()) m.state = "unknown";
    return m;
}

PGWARDEN_DECL sync_record read_sync(std::string_view key, std::string_view text, codec_warnings& warnings)
{
    detail::field_reader r(key, &warnings);
    return detail::sync_from_text(r, text);
}

PGWARDEN_DECL failover_record read_failover(std::string_view key, std::string_view text, codec_warnings& warnings)
{
    detail::field_reader r(key, &warnings);
    return detail::failover_from_text(r, text);
}

PGWARDEN_DECL history_record read_history(std::string_view key, std::string_view text, codec_warnings& warnings)
{
    detail::field_reader r(key, &warnings);
    return detail::history_from_text(r, text);
}

PGWARDEN_DECL status_record read_status(std::string_view key, std::string_view text, codec_warnings& warnings)
{
    detail::field_reader r(key, &warnings);
    return detail::status_from_text(r, text);
}

PGWARDEN_DECL std::optional<failsafe_record> read_failsafe(std::string_view key, std::string_view text,
                                                           codec_warnings& warnings)
{
    detail::field_reader r(key, &warnings);
    return detail::failsafe_from_text(r, text);
}

PGWARDEN_DECL config_record read_config(std::string_view key, std::string_view text, dcs_version version,
                                        dcs_version modify_version, codec_warnings& warnings)
{
    config_record c;
    c.version = version;
    detail::field_reader r(key, &warnings);
    auto v = detail::parse(r, text);
    if (v && !v->is_object()) r.type_problem({}, "object", *v);
    if (!v || !v->is_object()) {
        c.json = "{}";
        c.modify_version = 0;
        return c;
    }
    c.json = std::string(text);
    c.modify_version = modify_version;
    return c;
}

// ---------------------------------------------------------------- encoders

PGWARDEN_DECL std::string encode_member(const member_data& m)
{
    using detail::write_key;
    using detail::write_string;
    std::string out = "{";
    bool first = true;
    write_key(out, first, "conn_url");
    write_string(out, m.conn_url);
    write_key(out, first, "api_url");
    write_string(out, m.api_url);
    write_key(out, first, "state");
    write_string(out, m.state);
    write_key(out, first, "role");
    write_string(out, m.role == "master" ? std::string_view("primary") : std::string_view(m.role));
    write_key(out, first, "version");
    write_string(out, m.version);
    if (m.proxy_url) {
        write_key(out, first, "proxy_url");
        write_string(out, *m.proxy_url);
    }
    if (m.checkpoint_after_promote) {
        write_key(out, first, "checkpoint_after_promote");
        out += *m.checkpoint_after_promote ? "true" : "false";
    }
    if (!m.tags.empty()) {
        write_key(out, first, "tags");
        out += '{';
        bool tfirst = true;
        for (const auto& [name, value] : m.tags) {
            write_key(out, tfirst, name);
            // Values are JSON texts; one that is not JSON is taken as a string.
            if (auto parsed = detail::try_parse(value)) detail::write_value(out, *parsed);
            else write_string(out, value);
        }
        out += '}';
    }
    if (m.pending_restart) {
        write_key(out, first, "pending_restart");
        out += "true";
        if (!m.pending_restart_reasons.empty()) {
            write_key(out, first, "pending_restart_reason");
            out += '{';
            bool rfirst = true;
            for (const auto& reason : m.pending_restart_reasons) {
                write_key(out, rfirst, reason.name);
                out += "{\"old_value\":";
                write_string(out, reason.old_value);
                out += ",\"new_value\":";
                write_string(out, reason.new_value);
                out += '}';
            }
            out += '}';
        }
    }
    auto put_lsn = [&](std::string_view name, const std::optional<lsn>& l) {
        if (!l) return;
        write_key(out, first, name);
        out += std::to_string(l->value);
    };
    put_lsn("xlog_location", m.xlog_location);
    put_lsn("replay_lsn", m.replay_lsn);
    put_lsn("receive_lsn", m.receive_lsn);
    if (m.replication_state) {
        write_key(out, first, "replication_state");
        write_string(out, *m.replication_state);
    }
    if (m.timeline) {
        write_key(out, first, "timeline");
        out += std::to_string(*m.timeline);
    }
    if (m.scheduled_restart) {
        if (auto parsed = detail::try_parse(*m.scheduled_restart); parsed && parsed->is_object()) {
            write_key(out, first, "scheduled_restart");
            detail::write_value(out, *parsed);
        }
    }
    if (m.pause) {
        write_key(out, first, "pause");
        out += "true";
    }
    out += '}';
    return out;
}

PGWARDEN_DECL std::string encode_sync(const sync_record& s)
{
    std::string out = "{\"leader\":";
    if (s.leader.empty()) out += "null";
    else detail::write_string(out, s.leader);
    out += ",\"quorum\":";
    out += std::to_string(s.quorum);
    out += ",\"sync_standby\":";
    if (s.sync_standby.empty()) {
        out += "null";
    } else {
        std::vector<std::string> names = s.sync_standby;
        std::sort(names.begin(), names.end());
        std::string joined;
        for (const auto& n : names) {
            if (!joined.empty()) joined += ',';
            joined += n;
        }
        detail::write_string(out, joined);
    }
    out += '}';
    return out;
}

PGWARDEN_DECL std::string encode_failover(const failover_record& f)
{
    std::string out = "{";
    bool first = true;
    if (!f.leader.empty()) {
        detail::write_key(out, first, "leader");
        detail::write_string(out, f.leader);
    }
    if (!f.member.empty()) {
        detail::write_key(out, first, "member");
        detail::write_string(out, f.member);
    }
    if (f.scheduled_at && !f.scheduled_at->empty()) {
        detail::write_key(out, first, "scheduled_at");
        detail::write_string(out, *f.scheduled_at);
    }
    out += '}';
    return out;
}

PGWARDEN_DECL std::string encode_history(const history_record& h)
{
    std::string out = "[";
    bool first = true;
    for (const auto& line : h.lines) {
        if (!first) out += ',';
        first = false;
        out += '[';
        out += std::to_string(line.parent_timeline);
        out += ',';
        out += std::to_string(line.switch_lsn.value);
        out += ',';
        detail::write_string(out, line.reason);
        if (line.timestamp || line.new_leader) {
            out += ',';
            if (line.timestamp) detail::write_string(out, *line.timestamp);
            else out += "null";
        }
        if (line.new_leader) {
            out += ',';
            detail::write_string(out, *line.new_leader);
        }
        out += ']';
    }
    out += ']';
    return out;
}

PGWARDEN_DECL std::string encode_status(const status_record& s)
{
    std::string out = "{\"optime\":";
    out += std::to_string(s.optime.value);
    if (!s.slots.empty()) {
        out += ",\"slots\":{";
        bool first = true;
        for (const auto& [name, at] : s.slots) {
            detail::write_key(out, first, name);
            out += std::to_string(at.value);
        }
        out += '}';
    }
    if (!s.retain_slots.empty()) {
        std::vector<std::string> names = s.retain_slots;
        std::sort(names.begin(), names.end());
        out += ",\"retain_slots\":[";
        bool first = true;
        for (const auto& n : names) {
            if (!first) out += ',';
            first = false;
            detail::write_string(out, n);
        }
        out += ']';
    }
    out += '}';
    return out;
}

PGWARDEN_DECL std::string encode_failsafe(const failsafe_record& f)
{
    std::string out = "{";
    bool first = true;
    for (const auto& [name, url] : f.members) {
        detail::write_key(out, first, name);
        detail::write_string(out, url);
    }
    out += '}';
    return out;
}

PGWARDEN_DECL std::string encode_legacy_optime(lsn optime)
{
    return std::to_string(optime.value);
}

PGWARDEN_DECL std::string to_patroni_json(const boost::json::value& value)
{
    std::string out;
    detail::write_value(out, value);
    return out;
}

PGWARDEN_DECL std::optional<std::string> normalize_json(std::string_view text)
{
    auto v = detail::try_parse(text);
    if (!v) return std::nullopt;
    return to_patroni_json(*v);
}

// ---------------------------------------------------------------- helpers

PGWARDEN_DECL bool is_truthy_json(std::string_view json_text) noexcept
{
    auto v = detail::try_parse(json_text);
    return v && detail::truthy(*v);
}

namespace detail {

inline const std::string* find_tag(const json_fields& tags, std::string_view name) noexcept
{
    for (const auto& [k, v] : tags)
        if (k == name) return &v;
    return nullptr;
}

// Patroni's parse_int on a tag value: integers, integral floats, decimal strings.
inline std::optional<std::int64_t> tag_int(const std::string* text)
{
    if (!text) return std::nullopt;
    auto v = try_parse(*text);
    if (!v) return std::nullopt;
    if (v->is_bool()) return v->get_bool() ? 1 : 0;
    return to_int64(*v);
}

// Patroni's parse_bool: on/true/yes/1 and off/false/no/0, case-insensitive.
inline std::optional<bool> tag_bool(const std::string* text)
{
    if (!text) return std::nullopt;
    auto v = try_parse(*text);
    if (!v) return std::nullopt;
    std::string s;
    if (v->is_bool()) return v->get_bool();
    if (v->is_string()) s = std::string(v->get_string());
    else if (v->is_int64() || v->is_uint64()) s = to_patroni_json(*v);
    else return std::nullopt;
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "on" || s == "true" || s == "yes" || s == "1") return true;
    if (s == "off" || s == "false" || s == "no" || s == "0") return false;
    return std::nullopt;
}

// The nofailover/failover_priority (and nosync/sync_priority) pair logic.
inline void tag_pair(const json_fields& tags, std::string_view flag_name, std::string_view priority_name,
                     bool& flag, std::int64_t& priority)
{
    const std::string* flag_text = find_tag(tags, flag_name);
    const auto parsed = tag_int(find_tag(tags, priority_name));
    const bool flag_present = flag_text && flag_text->size() && *flag_text != "null";
    if (flag_present) flag = is_truthy_json(*flag_text);
    else flag = parsed ? *parsed <= 0 : false;
    priority = (flag_present && flag) ? 0 : parsed.value_or(1);
}

} // namespace detail

PGWARDEN_DECL member_tags interpret_tags(const json_fields& tags)
{
    member_tags t;
    detail::tag_pair(tags, "nofailover", "failover_priority", t.nofailover, t.failover_priority);
    detail::tag_pair(tags, "nosync", "sync_priority", t.nosync, t.sync_priority);
    if (const auto* v = detail::find_tag(tags, "noloadbalance")) t.noloadbalance = is_truthy_json(*v);
    if (const auto* v = detail::find_tag(tags, "clonefrom")) t.clonefrom = is_truthy_json(*v);
    if (const auto* v = detail::find_tag(tags, "replicatefrom")) {
        auto parsed = detail::try_parse(*v);
        if (parsed && parsed->is_string()) t.replicatefrom = std::string(parsed->get_string());
    }
    t.nostream = detail::tag_bool(detail::find_tag(tags, "nostream")).value_or(false);
    return t;
}

PGWARDEN_DECL json_fields effective_tags(const json_fields& configured)
{
    const bool has_failover_priority = detail::find_tag(configured, "failover_priority") != nullptr;
    const bool has_sync_priority = detail::find_tag(configured, "sync_priority") != nullptr;
    json_fields out;
    for (const auto& [name, value] : configured) {
        const bool boolean_tag = name == "clonefrom" || name == "nofailover" || name == "noloadbalance" ||
                                 name == "nosync" || name == "nostream";
        bool keep = !boolean_tag || is_truthy_json(value);
        if (name == "nofailover" && has_failover_priority) keep = true;
        if (name == "nosync" && has_sync_priority) keep = true;
        if (keep) out.emplace_back(name, value);
    }
    return out;
}

PGWARDEN_DECL bool is_valid_sysid(std::string_view text) noexcept
{
    if (text.size() < 10) return false;
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

PGWARDEN_DECL std::optional<std::pair<std::string, std::string>> parse_legacy_member_url(std::string_view text)
{
    if (text.substr(0, 8) != "postgres") return std::nullopt;
    // urlparse: the fragment starts at the first '#', the query at the first '?' before it.
    const auto hash = text.find('#');
    const auto before_fragment = text.substr(0, hash);
    const auto fragment = hash == std::string_view::npos ? std::string_view{} : text.substr(hash);
    const auto question = before_fragment.find('?');
    std::string conn_url(before_fragment.substr(0, question));
    conn_url += fragment;
    std::string api_url;
    if (question != std::string_view::npos) {
        std::string_view query = before_fragment.substr(question + 1);
        while (!query.empty()) {
            const auto amp = query.find('&');
            const auto pair = query.substr(0, amp);
            const auto eq = pair.find('=');
            if (eq != std::string_view::npos && detail::unquote_plus(pair.substr(0, eq)) == "application_name") {
                auto value = detail::unquote_plus(pair.substr(eq + 1));
                if (!value.empty()) {   // parse_qsl drops blank values
                    api_url = std::move(value);
                    break;
                }
            }
            if (amp == std::string_view::npos) break;
            query.remove_prefix(amp + 1);
        }
    }
    return std::pair{std::move(conn_url), std::move(api_url)};
}

PGWARDEN_DECL std::optional<std::vector<int>> parse_patroni_version(std::string_view text)
{
    std::vector<int> parts;
    if (text.empty()) return std::nullopt;
    while (true) {
        const auto dot = text.find('.');
        const auto part = text.substr(0, dot);
        int v = 0;
        auto res = std::from_chars(part.data(), part.data() + part.size(), v);
        if (part.empty() || res.ec != std::errc{} || res.ptr != part.data() + part.size() || v < 0)
            return std::nullopt;
        parts.push_back(v);
        if (dot == std::string_view::npos) break;
        text.remove_prefix(dot + 1);
    }
    return parts;
}

// ---------------------------------------------------------------- snapshot

PGWARDEN_DECL cluster_snapshot build_snapshot(std::span<const raw_entry> entries, codec_warnings& warnings)
{
    cluster_snapshot snap;
    for (const auto& e : entries) {
        const std::string_view k = e.key;
        if (auto name = member_name_of(k)) {
            member_record m;
            m.name = std::string(*name);
            m.version = e.version;
            m.session = e.session;
            m.data = read_member(k, e.value, warnings);
            snap.members.push_back(std::move(m));
        } else if (k == key::leader) {
            if (e.value.empty()) continue;
            snap.leader = leader_record{e.value, e.version, e.session};
        } else if (k == key::initialize) {
            snap.initialize = e.value;
        } else if (k == key::config) {
            snap.config = read_config(k, e.value, e.version, e.modify_version ? e.modify_version : e.version, warnings);
        } else if (k == key::sync) {
            snap.sync = read_sync(k, e.value, warnings);
            snap.sync->version = e.version;
        } else if (k == key::failover) {
            snap.failover = read_failover(k, e.value, warnings);
            snap.failover->version = e.version;
        } else if (k == key::history) {
            snap.history = read_history(k, e.value, warnings);
            snap.history->version = e.version;
        } else if (k == key::status) {
            snap.status = read_status(k, e.value, warnings);
            snap.status->version = e.version;
        } else if (k == key::failsafe) {
            snap.failsafe = read_failsafe(k, e.value, warnings);
            if (snap.failsafe) snap.failsafe->version = e.version;
        } else if (k == key::legacy_optime) {
            std::string why;
            if (auto o = decode_legacy_optime(k, e.value, &why)) snap.legacy_optime = *o;
            else warnings.push_back(std::move(why));
        }
    }
    std::stable_sort(snap.members.begin(), snap.members.end(),
                     [](const member_record& a, const member_record& b) { return a.name < b.name; });
    // A key read twice (it should not happen) keeps the later entry.
    std::vector<member_record> unique;
    unique.reserve(snap.members.size());
    for (auto& m : snap.members) {
        if (!unique.empty() && unique.back().name == m.name) unique.back() = std::move(m);
        else unique.push_back(std::move(m));
    }
    snap.members = std::move(unique);
    return snap;
}

} // namespace pgwarden::dcs
