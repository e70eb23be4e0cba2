#pragma once
#include <pgwarden/core/error.hpp>
#include <pgwarden/http/url.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace pgwarden::http {
namespace detail {

inline std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

inline std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

inline bool parse_port(std::string_view s, std::uint16_t& out) noexcept
{
    if (s.empty() || s.size() > 5) return false;
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || v == 0 || v > 65535) return false;
    out = static_cast<std::uint16_t>(v);
    return true;
}

/// Splits `host[:port]` / `[v6][:port]` into ep; false when malformed.
inline bool parse_authority(std::string_view hp, endpoint& ep) noexcept
{
    if (hp.empty()) return false;
    std::string_view host, port;
    if (hp.front() == '[') {
        const auto close = hp.find(']');
        if (close == std::string_view::npos) return false;
        host = hp.substr(1, close - 1);
        auto rest = hp.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return false;
            port = rest.substr(1);
            if (port.empty()) return false;
        }
    } else {
        const auto colon = hp.rfind(':');
        if (colon != std::string_view::npos) {
            if (hp.find(':') != colon) return false;   // bare IPv6 needs brackets
            host = hp.substr(0, colon);
            port = hp.substr(colon + 1);
            if (port.empty()) return false;
        } else {
            host = hp;
        }
    }
    if (host.empty()) return false;
    if (!port.empty() && !parse_port(port, ep.port)) return false;
    ep.host = std::string(host);
    return true;
}

inline error_code invalid() noexcept { return make_error_code(pgwarden::error::invalid_argument); }

} // namespace detail

PGWARDEN_DECL std::string endpoint::to_string() const
{
    return scheme + "://" + host_header();
}

PGWARDEN_DECL std::string endpoint::host_header() const
{
    const bool v6 = host.find(':') != std::string::npos;
    std::string out = v6 ? "[" + host + "]" : host;
    out += ':';
    out += std::to_string(port);
    return out;
}

PGWARDEN_DECL std::string percent_decode(std::string_view text)
{
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int hi = hex(text[i + 1]);
            const int lo = hex(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

PGWARDEN_DECL result<url> parse_url(std::string_view text)
{
    text = detail::trim(text);
    const auto sep = text.find("://");
    if (sep == std::string_view::npos) return detail::invalid();
    url out;
    out.where.scheme = detail::lower(text.substr(0, sep));
    if (out.where.scheme == "http") out.where.port = 80;
    else if (out.where.scheme == "https") out.where.port = 443;
    else return detail::invalid();
    auto rest = text.substr(sep + 3);
    const auto slash = rest.find_first_of("/?#");
    auto authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) {
        auto target = rest.substr(slash);
        if (const auto hash = target.find('#'); hash != std::string_view::npos)
            target = target.substr(0, hash);
        out.target = std::string(target);
        if (out.target.empty() || out.target.front() == '?') out.target.insert(0, "/");
    }
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        const auto info = authority.substr(0, at);
        authority = authority.substr(at + 1);
        const auto colon = info.find(':');
        out.username = percent_decode(info.substr(0, colon));
        if (colon != std::string_view::npos) out.password = percent_decode(info.substr(colon + 1));
    }
    if (!detail::parse_authority(authority, out.where)) return detail::invalid();
    return out;
}

PGWARDEN_DECL result<endpoint> parse_host_port(std::string_view text, std::string_view scheme,
                                               std::uint16_t default_port)
{
    text = detail::trim(text);
    if (text.find("://") != std::string_view::npos) {
        auto u = parse_url(text);
        if (!u) return u.error();
        return u->where;
    }
    endpoint ep;
    ep.scheme = detail::lower(scheme);
    if (ep.scheme != "http" && ep.scheme != "https") return detail::invalid();
    ep.port = default_port;
    if (!detail::parse_authority(text, ep)) return detail::invalid();
    return ep;
}

PGWARDEN_DECL std::vector<std::string> split_host_list(std::string_view text)
{
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto item = detail::trim(text.substr(0, comma));
        if (!item.empty()) out.emplace_back(item);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

} // namespace pgwarden::http
