// pg_controldata output: what the controller knows about a stopped cluster
// (ha-loop.md 9.1, 10.1, 10.2; config.md 8.1 replica minimums).
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/lsn.hpp>
#include <pgwarden/core/result.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pgwarden::pg {

/// The fields the HA logic uses, plus every line as text in `raw`.
struct controldata {
    std::map<std::string, std::string> raw;   ///< "Database cluster state" -> "shut down"
    std::string cluster_state;
    std::optional<std::uint64_t> system_identifier;
    std::int64_t checkpoint_timeline = 0;      ///< Latest checkpoint's TimeLineID
    lsn checkpoint_lsn;                        ///< Latest checkpoint location
    lsn prior_checkpoint_lsn;                  ///< Latest checkpoint's REDO location
    lsn min_recovery_lsn;                      ///< Minimum recovery ending location
    std::int64_t min_recovery_timeline = 0;    ///< Min recovery ending loc's timeline
    bool wal_log_hints = false;
    int data_checksum_version = 0;
    std::map<std::string, long long> settings;   ///< max_connections etc. ("... setting")

    /// "shut down" or "shut down in recovery".
    bool is_clean_shutdown() const noexcept
    {
        return cluster_state == "shut down" || cluster_state == "shut down in recovery";
    }
    /// An unclean stop of a primary: ha-loop.md 9.1 step 4.
    bool needs_crash_recovery() const noexcept
    {
        return cluster_state == "in production" || cluster_state == "shutting down" ||
               cluster_state == "in crash recovery";
    }
    /// wal_log_hints on, or data checksums enabled (pg_rewind precondition).
    bool rewind_capable() const noexcept { return wal_log_hints || data_checksum_version != 0; }
};

/** Parses `pg_controldata` output (run with LANG=C). Lines are `key: value`
 *  with padding; unknown lines are kept in `raw`.
 *  Returns error::bad_output when there is no "Database cluster state".
 */
[[nodiscard]] PGWARDEN_DECL result<controldata> parse_controldata(std::string_view text);

} // namespace pgwarden::pg

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/pg/impl/controldata.ipp>
#endif
