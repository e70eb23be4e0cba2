#pragma once
#include <pgwarden/pg/controldata.hpp>
#include <pgwarden/pg/error.hpp>

#include <charconv>

namespace pgwarden::pg {
namespace detail {

inline std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

template <class Int>
inline std::optional<Int> parse_int(std::string_view s) noexcept
{
    Int v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

} // namespace detail

PGWARDEN_DECL result<controldata> parse_controldata(std::string_view text)
{
    controldata cd;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        auto key = detail::trim(line.substr(0, colon));
        auto value = detail::trim(line.substr(colon + 1));
        cd.raw.emplace(std::string(key), std::string(value));
    }
    auto get = [&](const char* k) -> std::optional<std::string_view> {
        auto it = cd.raw.find(k);
        if (it == cd.raw.end()) return std::nullopt;
        return std::string_view(it->second);
    };
    auto state = get("Database cluster state");
    if (!state) return make_error_code(error::bad_output);
    cd.cluster_state = std::string(*state);
    if (auto v = get("Database system identifier")) cd.system_identifier = detail::parse_int<std::uint64_t>(*v);
    if (auto v = get("Latest checkpoint's TimeLineID"))
        cd.checkpoint_timeline = detail::parse_int<std::int64_t>(*v).value_or(0);
    if (auto v = get("Latest checkpoint location")) cd.checkpoint_lsn = lsn::parse(*v).value_or(lsn{});
    if (auto v = get("Latest checkpoint's REDO location"))
        cd.prior_checkpoint_lsn = lsn::parse(*v).value_or(lsn{});
    if (auto v = get("Minimum recovery ending location"))
        cd.min_recovery_lsn = lsn::parse(*v).value_or(lsn{});
    if (auto v = get("Min recovery ending loc's timeline"))
        cd.min_recovery_timeline = detail::parse_int<std::int64_t>(*v).value_or(0);
    if (auto v = get("wal_log_hints setting")) cd.wal_log_hints = (*v == "on");
    if (auto v = get("Data page checksum version"))
        cd.data_checksum_version = detail::parse_int<int>(*v).value_or(0);
    for (const auto& [k, v] : cd.raw) {
        static constexpr std::string_view suffix = " setting";
        if (k.size() > suffix.size() && k.compare(k.size() - suffix.size(), suffix.size(), suffix) == 0) {
            if (auto n = detail::parse_int<long long>(v))
                cd.settings.emplace(k.substr(0, k.size() - suffix.size()), *n);
        }
    }
    return cd;
}

} // namespace pgwarden::pg
