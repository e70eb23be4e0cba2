#pragma once
#include <pgwarden/config/values.hpp>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace pgwarden::config {
namespace detail {

inline std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

/// strtol with base 0: the longest valid prefix and the rest. nullopt when no digit.
inline std::optional<long double> strtol_prefix(std::string_view s, std::string_view& rest) noexcept
{
    std::size_t i = 0;
    bool neg = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    int base = 10;
    std::size_t digits_from = i;
    if (i < s.size() && s[i] == '0') {
        base = 8;
        if (i + 2 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            base = 16;
            i += 2;
            digits_from = i;
        }
    }
    long double v = 0;
    std::size_t j = digits_from;
    for (; j < s.size(); ++j) {
        int d;
        char c = s[j];
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            break;
        if (d >= base)
            break;
        v = v * base + d;
    }
    if (j == digits_from)
        return std::nullopt;
    rest = s.substr(j);
    return neg ? -v : v;
}

/// strtod: the longest valid decimal prefix (digits, '.', exponent).
inline std::optional<long double> strtod_prefix(std::string_view s, std::string_view& rest) noexcept
{
    std::string buf(s);
    char* end = nullptr;
    long double v = std::strtold(buf.c_str(), &end);
    if (end == buf.c_str())
        return std::nullopt;
    // Reject hex floats, inf and nan: PostgreSQL units never use them.
    std::string_view used(buf.c_str(), static_cast<std::size_t>(end - buf.c_str()));
    for (char c : used)
        if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '-' ||
              c == '+'))
            return std::nullopt;
    rest = s.substr(used.size());
    return v;
}

/// Multiplier from `unit` to `base`, or 0 when not convertible.
inline long double unit_factor(std::string_view base, std::string_view unit) noexcept
{
    struct u { std::string_view name; int family; long double scale; };
    static constexpr u units[] = {
        {"B", 0, 1.0L}, {"kB", 0, 1024.0L}, {"MB", 0, 1048576.0L}, {"GB", 0, 1073741824.0L},
        {"TB", 0, 1099511627776.0L}, {"us", 1, 1.0L}, {"ms", 1, 1000.0L}, {"s", 1, 1000000.0L},
        {"min", 1, 60000000.0L}, {"h", 1, 3600000000.0L}, {"d", 1, 86400000000.0L}};
    const u* b = nullptr;
    const u* x = nullptr;
    for (const auto& e : units) {
        if (e.name == base)
            b = &e;
        if (e.name == unit)
            x = &e;
    }
    // Patroni's table knows B, kB, MB (memory) and ms, s, min (time) as base units.
    if (!b || !x || b->family != x->family)
        return 0;
    if (base != "B" && base != "kB" && base != "MB" && base != "ms" && base != "s" && base != "min")
        return 0;
    return x->scale / b->scale;
}

inline std::optional<long double> parse_number(std::string_view text, std::string_view base_unit) noexcept
{
    std::string_view s = trim(text);
    if (s.empty())
        return std::nullopt;
    std::string_view rest;
    std::optional<long double> v = strtol_prefix(s, rest);
    if (!v || (!rest.empty() && (rest.front() == '.' || rest.front() == 'e' || rest.front() == 'E'))) {
        v = strtod_prefix(s, rest);
        if (!v)
            return std::nullopt;
    }
    std::string_view unit = trim(rest);
    if (unit.empty())
        return v;
    if (base_unit.empty())
        return std::nullopt;
    // A base unit such as "8kB" is a multiple of a unit.
    long double base_mult = 1;
    std::string_view bu = base_unit;
    std::string_view bu_rest;
    if (auto m = strtol_prefix(bu, bu_rest)) {
        base_mult = *m;
        bu = bu_rest;
    }
    long double f = unit_factor(bu, unit);
    if (f == 0 || base_mult == 0)
        return std::nullopt;
    return *v * f / base_mult;
}

} // namespace detail

PGWARDEN_DECL std::optional<bool> parse_bool(std::string_view text) noexcept
{
    std::string_view s = detail::trim(text);
    for (std::string_view t : {"on", "true", "yes", "1"})
        if (detail::iequals(s, t))
            return true;
    for (std::string_view f : {"off", "false", "no", "0"})
        if (detail::iequals(s, f))
            return false;
    return std::nullopt;
}

PGWARDEN_DECL std::optional<std::int64_t> parse_int(std::string_view text, std::string_view base_unit) noexcept
{
    auto v = detail::parse_number(text, base_unit);
    if (!v || !std::isfinite(static_cast<double>(*v)))
        return std::nullopt;
    long double r = std::nearbyint(*v);   // round half to even, like Python's round()
    if (r > 9.2e18L || r < -9.2e18L)
        return std::nullopt;
    return static_cast<std::int64_t>(r);
}

PGWARDEN_DECL std::optional<double> parse_real(std::string_view text, std::string_view base_unit) noexcept
{
    auto v = detail::parse_number(text, base_unit);
    if (!v)
        return std::nullopt;
    return static_cast<double>(*v);
}

} // namespace pgwarden::config
