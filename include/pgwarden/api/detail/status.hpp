// Facts derived from an api_view that several documents share. Private to the
// api module's .ipp files.
#pragma once
#include <pgwarden/api/view.hpp>

#include <cctype>
#include <cstdint>
#include <string_view>

namespace pgwarden::api::detail {

/// Patroni's `cluster.status.last_lsn`: the leader's published optime, 0 if none.
inline std::uint64_t last_lsn(const dcs::cluster_snapshot& c) noexcept
{
    if (c.status) return c.status->optime.value;
    if (c.legacy_optime) return c.legacy_optime->value;
    return 0;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

/// SyncState.matches(name): the name is in /sync's sync_standby (case-insensitive).
inline bool sync_matches(const dcs::cluster_snapshot& c, std::string_view name) noexcept
{
    if (!c.sync || name.empty()) return false;
    for (const auto& s : c.sync->sync_standby)
        if (iequals(s, name)) return true;
    return false;
}

/// `sync_standby` / `quorum_standby` of the status document (rest-api.md 5.2).
struct sync_flags { bool sync_standby = false; bool quorum_standby = false; };

inline sync_flags status_sync_flags(const api_view& v, bool cluster_valid) noexcept
{
    sync_flags f;
    if (!v.pg.query_ok || v.pg.role != "replica" || v.synchronous_mode == sync_mode::off) return f;
    if (!cluster_valid || !v.cluster || !sync_matches(*v.cluster, v.name)) return f;
    if (v.synchronous_mode == sync_mode::quorum) f.quorum_standby = true;
    else f.sync_standby = true;
    return f;
}

inline bool status_cluster_unlocked(const api_view& v, bool cluster_valid) noexcept
{
    return !cluster_valid || !v.cluster || v.cluster->is_unlocked();
}

} // namespace pgwarden::api::detail
