#pragma once
#include <pgwarden/pg/settings.hpp>

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace pgwarden::pg {
namespace detail {

struct unit_factor {
    const char* unit;
    double to_base[3];   ///< how many base units (in the order of the table's bases) one `unit` is
};

// Patroni's conversion tables (utils.get_conversion_table), largest unit first.
inline constexpr std::array<const char*, 3> memory_bases{"B", "kB", "MB"};
inline constexpr std::array<unit_factor, 5> memory_units{{
    {"TB", {1099511627776.0, 1073741824.0, 1048576.0}},
    {"GB", {1073741824.0, 1048576.0, 1024.0}},
    {"MB", {1048576.0, 1024.0, 1.0}},
    {"kB", {1024.0, 1.0, 1.0 / 1024}},
    {"B", {1.0, 1.0 / 1024, 1.0 / 1048576}},
}};
inline constexpr std::array<const char*, 3> time_bases{"ms", "s", "min"};
inline constexpr std::array<unit_factor, 6> time_units{{
    {"d", {86400000.0, 86400.0, 1440.0}},
    {"h", {3600000.0, 3600.0, 60.0}},
    {"min", {60000.0, 60.0, 1.0}},
    {"s", {1000.0, 1.0, 1.0 / 60}},
    {"ms", {1.0, 1.0 / 1000, 1.0 / 60000}},
    {"us", {1.0 / 1000, 1.0 / 1000000, 1.0 / 60000000}},
}};

inline std::string_view strip(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

/// A whole string that is an integer (decimal, 0x hex, 0 octal) or a real, as Patroni's parse_int(v, None).
inline std::optional<long long> parse_plain_int(std::string_view v)
{
    const std::string s(strip(v));
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(s.c_str(), &end, 0);
    if (end != s.c_str() && *end == '\0' && errno == 0) return n;
    const double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() && *end == '\0' && std::isfinite(d)) return std::llround(d);
    return std::nullopt;
}

inline std::optional<double> parse_plain_real(std::string_view v)
{
    const std::string s(strip(v));
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() && *end == '\0' && std::isfinite(d)) return d;
    return std::nullopt;
}

/// "8kB" -> (8, "kB"); "kB" -> (1, "kB").
inline std::pair<long long, std::string> split_base_unit(std::string_view u)
{
    const std::string s(strip(u));
    char* end = nullptr;
    const long long n = std::strtoll(s.c_str(), &end, 10);
    if (end == s.c_str()) return {1, s};
    return {n, std::string(end)};
}

template <class F>
bool for_each_unit(const std::string& base, F&& f)
{
    for (std::size_t b = 0; b < memory_bases.size(); ++b)
        if (base == memory_bases[b]) {
            for (const auto& u : memory_units)
                if (f(u.unit, u.to_base[b])) return true;
            return false;
        }
    for (std::size_t b = 0; b < time_bases.size(); ++b)
        if (base == time_bases[b]) {
            for (const auto& u : time_units)
                if (f(u.unit, u.to_base[b])) return true;
            return false;
        }
    return false;
}

inline std::optional<std::string> convert_int_from_base_unit(long long value, std::string_view base_unit)
{
    auto [mult, base] = split_base_unit(base_unit);
    value *= mult;
    std::optional<std::string> out;
    for_each_unit(base, [&](const char* unit, double m) {
        const bool whole_multiple = m > 1.0 && value % static_cast<long long>(m) == 0;
        if (m <= 1.0 || whole_multiple) {
            out = std::to_string(std::llround(static_cast<double>(value) / m)) + unit;
            return true;
        }
        return false;
    });
    return out;
}

inline std::optional<std::string> convert_real_from_base_unit(double value, std::string_view base_unit)
{
    auto [mult, base] = split_base_unit(base_unit);
    value *= static_cast<double>(mult);
    std::optional<std::string> out;
    for_each_unit(base, [&](const char* unit, double m) {
        const double v = value / m;
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", v);
        out = std::string(buf) + unit;
        return v > 0 && std::fabs(std::round(v) / v - 1.0) <= 1e-8;
    });
    return out;
}

} // namespace detail

PGWARDEN_DECL std::string maybe_convert_from_base_unit(std::string_view value, std::string_view vartype,
                                                        std::optional<std::string_view> base_unit)
{
    // Patroni: parse without a base unit (so a value with a unit stays as
    // it is), and a falsy parse (0) keeps the original text.
    if (vartype == "integer") {
        auto n = detail::parse_plain_int(value);
        if (!n || *n == 0 || !base_unit) return std::string(value);
        return detail::convert_int_from_base_unit(*n, *base_unit).value_or(std::string(value));
    }
    if (vartype == "real") {
        auto d = detail::parse_plain_real(value);
        if (!d || *d == 0.0 || !base_unit) return std::string(value);
        return detail::convert_real_from_base_unit(*d, *base_unit).value_or(std::string(value));
    }
    return std::string(value);
}

PGWARDEN_DECL param_change make_param_change(std::string_view old_value, std::string_view new_value,
                                             std::string_view vartype, std::optional<std::string_view> unit)
{
    return {maybe_convert_from_base_unit(old_value, vartype, unit),
            maybe_convert_from_base_unit(new_value, vartype, unit)};
}

} // namespace pgwarden::pg
