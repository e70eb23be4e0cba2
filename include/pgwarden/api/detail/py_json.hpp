// A JSON writer that prints exactly what Python's json.dumps() prints with its
// defaults: separators ", " and ": ", ensure_ascii (non-ASCII as lower-case
// \uXXXX, surrogate pairs above the BMP) and float repr. Patroni's REST API
// uses json.dumps(default=str), so byte-exact output needs this (rest-api.md 5).
// Private to the api module's .ipp files.
#pragma once
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace pgwarden::api::detail {

inline void put_hex4(std::string& out, unsigned v)
{
    static constexpr char digits[] = "0123456789abcdef";
    out += "\\u";
    out.push_back(digits[(v >> 12) & 0xF]);
    out.push_back(digits[(v >> 8) & 0xF]);
    out.push_back(digits[(v >> 4) & 0xF]);
    out.push_back(digits[v & 0xF]);
}

/// Appends `s` (UTF-8) as a JSON string literal, ensure_ascii style.
inline void put_string(std::string& out, std::string_view s)
{
    out.push_back('"');
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
        case '"': out += "\\\""; continue;
        case '\\': out += "\\\\"; continue;
        case '\n': out += "\\n"; continue;
        case '\r': out += "\\r"; continue;
        case '\t': out += "\\t"; continue;
        case '\b': out += "\\b"; continue;
        case '\f': out += "\\f"; continue;
        default: break;
        }
        if (c < 0x20) { put_hex4(out, c); continue; }
        if (c < 0x80) { out.push_back(static_cast<char>(c)); continue; }
        // Decode one UTF-8 sequence; invalid bytes become U+FFFD like Python's
        // 'replace' would (Patroni never has them: its input is decoded UTF-8).
        unsigned cp = 0xFFFD;
        std::size_t extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (extra > 0 && i + extra < s.size()) {
            unsigned v = c & (0x3F >> extra);
            bool ok = true;
            for (std::size_t k = 1; ok && k <= extra; ++k) {
                auto cc = static_cast<unsigned char>(s[i + k]);
                if ((cc & 0xC0) != 0x80) ok = false;
                else v = (v << 6) | (cc & 0x3F);
            }
            if (ok) { cp = v; i += extra; }
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put_hex4(out, 0xD800 + (cp >> 10));
            put_hex4(out, 0xDC00 + (cp & 0x3FF));
        } else {
            put_hex4(out, cp);
        }
    }
    out.push_back('"');
}

inline void put_int(std::string& out, std::int64_t v)
{
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

inline void put_uint(std::string& out, std::uint64_t v)
{
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

/// Appends Python's repr(float): shortest round-trip digits, fixed notation
/// for decimal exponents in [-4, 16), else `d.ddde+XX`; integral values end in `.0`.
inline void put_double(std::string& out, double v)
{
    if (std::isnan(v)) { out += "NaN"; return; }
    if (std::isinf(v)) { out += v < 0 ? "-Infinity" : "Infinity"; return; }
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
    bool neg = sci.front() == '-';
    if (neg) sci.remove_prefix(1);
    auto e = sci.find('e');
    std::string digits;
    for (char ch : sci.substr(0, e))
        if (ch != '.') digits.push_back(ch);
    int exp10 = std::stoi(std::string(sci.substr(e + 1)));
    if (neg) out.push_back('-');
    if (exp10 >= -4 && exp10 < 16) {
        if (exp10 < 0) {
            out += "0.";
            out.append(static_cast<std::size_t>(-exp10 - 1), '0');
            out += digits;
        } else {
            auto int_len = static_cast<std::size_t>(exp10 + 1);
            if (digits.size() <= int_len) {
                out += digits;
                out.append(int_len - digits.size(), '0');
                out += ".0";
            } else {
                out.append(digits, 0, int_len);
                out.push_back('.');
                out.append(digits, int_len, std::string::npos);
            }
        }
    } else {
        out.push_back(digits[0]);
        if (digits.size() > 1) {
            out.push_back('.');
            out.append(digits, 1, std::string::npos);
        }
        char eb[16];
        std::snprintf(eb, sizeof eb, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
        out += eb;
    }
}

/// Appends a parsed JSON value in json.dumps() style.
inline void put_value(std::string& out, const boost::json::value& v)
{
    switch (v.kind()) {
    case boost::json::kind::null: out += "null"; return;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; return;
    case boost::json::kind::int64: put_int(out, v.get_int64()); return;
    case boost::json::kind::uint64: put_uint(out, v.get_uint64()); return;
    case boost::json::kind::double_: put_double(out, v.get_double()); return;
    case boost::json::kind::string: put_string(out, v.get_string()); return;
    case boost::json::kind::array: {
        out.push_back('[');
        bool first = true;
        for (const auto& e : v.get_array()) {
            if (!first) out += ", ";
            first = false;
            put_value(out, e);
        }
        out.push_back(']');
        return;
    }
    case boost::json::kind::object: {
        out.push_back('{');
        bool first = true;
        for (const auto& kv : v.get_object()) {
            if (!first) out += ", ";
            first = false;
            put_string(out, kv.key());
            out += ": ";
            put_value(out, kv.value());
        }
        out.push_back('}');
        return;
    }
    }
}

/// Re-prints JSON text in json.dumps() style; text that does not parse is
/// printed as a JSON string (Patroni's `default=str` fallback, roughly).
inline void put_json_text(std::string& out, std::string_view json_text)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(json_text, ec);
    if (ec) { put_string(out, json_text); return; }
    put_value(out, v);
}

/// `str(value).lower()` for non-strings, the string itself for strings (tag filters, 3.4).
inline std::string json_text_as_tag_string(std::string_view json_text)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(json_text, ec);
    if (ec) return std::string(json_text);
    if (v.is_string()) return std::string(v.get_string());
    std::string s;
    if (v.is_bool()) s = v.get_bool() ? "true" : "false";
    else if (v.is_null()) s = "none";
    else if (v.is_double()) put_double(s, v.get_double());
    else put_value(s, v);   // ints; containers approximate Python's str()
    for (auto& ch : s)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return s;
}

} // namespace pgwarden::api::detail
