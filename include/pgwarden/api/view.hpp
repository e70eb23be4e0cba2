// api_view: everything the REST API needs to answer a request, as plain values.
// The daemon builds one per HA cycle and swaps it in; the API never reads
// PostgreSQL or the DCS itself (rest-api.md 3.1, 5.2, 6).
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/time.hpp>
#include <pgwarden/dcs/model.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgwarden::api {

/// The dynamic `synchronous_mode` as the API sees it.
enum class sync_mode { off, on, quorum };

/** A PostgreSQL `timestamptz` as Patroni receives it from psycopg: an instant
 *  plus the session's UTC offset, so it can be printed like Python's
 *  `str(datetime)` (`2024-08-28 19:39:26.352526+00:00`).
 */
struct pg_timestamp {
    std::int64_t epoch_us = 0;        ///< microseconds since 1970-01-01 UTC
    std::int32_t utc_offset_s = 0;    ///< the session TimeZone's offset

    friend bool operator==(const pg_timestamp&, const pg_timestamp&) = default;
};

/// One row of pg_stat_get_wal_senders() (rest-api.md 5.2 `replication`).
struct wal_sender {
    std::optional<std::string> usename;
    std::string application_name;
    std::optional<std::string> client_addr;
    std::string state;
    std::string sync_state;
    std::int64_t sync_priority = 0;
};

/** The result of Patroni's status query (rest-api.md 5.2, 7).
 *
 *  Invariants:
 *  - `query_ok` is false => only `state` and `role` are meaningful (Patroni
 *    then answers `{"state": ..., "role": ...}`);
 *  - `in_recovery` is false => `xlog_location` is used, else the replica fields.
 */
struct pg_status {
    bool query_ok = false;
    std::string state = "stopped";          ///< rest-api.md 5.4 text; `unknown` when the query failed while running
    std::string role = "uninitialized";     ///< the role to report: primary, replica, standby_leader, ...
    std::optional<pg_timestamp> postmaster_start_time;
    int server_version = 0;
    bool in_recovery = false;
    std::uint64_t xlog_location = 0;        ///< primary: flush LSN in bytes
    std::uint64_t received_location = 0;    ///< replica
    std::uint64_t replayed_location = 0;    ///< replica
    std::optional<pg_timestamp> replayed_timestamp;   ///< null when absent
    bool replay_paused = false;
    std::optional<std::int64_t> timeline;   ///< null when the replica lookup failed
    std::uint64_t latest_end_lsn = 0;       ///< internal; used for lag, never printed
    std::optional<std::string> replication_state;     ///< `streaming` | `in archive recovery`
    std::vector<wal_sender> replication;
};

/// An IPv4 or IPv6 network (allowlist entry). IPv4 is stored as such, not mapped.
struct ip_network {
    bool v6 = false;
    std::array<unsigned char, 16> address{};   ///< first 4 bytes for IPv4
    int prefix = 32;

    /// Parses `a.b.c.d[/n]` or an IPv6 literal `[...]/n`; host bits are allowed.
    [[nodiscard]] static std::optional<ip_network> parse(std::string_view text) noexcept;
};

/** The restapi section as the server uses it (config.md 5.6, rest-api.md 4, 10).
 *  Host names in the allowlist, and the members' api_url hosts, are resolved by
 *  the daemon (once per reload, resp. once per cycle) so the router does no I/O.
 */
struct restapi_settings {
    std::string auth_key;                    ///< base64("user:pass"); empty => no Basic auth
    std::vector<ip_network> allowlist;
    bool allowlist_include_members = false;
    std::vector<ip_network> member_networks; ///< resolved api_url hosts of the members
    bool tls = false;
    bool verify_client = false;              ///< verify_client is `optional` or `required`
    std::vector<std::pair<std::string, std::string>> extra_headers;   ///< http(+https) extra headers, merged
    std::string server_header = "BaseHTTP/0.6 Python/3.11.2";         ///< per server_tokens
};

/** Everything the API answers from. Built by the daemon once per HA cycle.
 *
 *  Times that decide an answer (`leader_lock_until`, `cluster_valid_until`,
 *  `next_run`) are monotonic instants compared with the request's `now`, so a
 *  stuck HA loop shows in `/liveness` and an expired DCS view in the health
 *  checks even though the view itself is no longer updated.
 */
struct api_view {
    std::string scope;
    std::string name;
    std::string version = PGWARDEN_PATRONI_VERSION;

    pg_status pg;

    /// The last cluster read by the HA loop. Counts as Patroni's `None` when
    /// absent or once `now >= cluster_valid_until`.
    std::optional<dcs::cluster_snapshot> cluster;
    std::optional<mono_time> cluster_valid_until;
    /// `ha.is_leader()`: true while `now < leader_lock_until`.
    std::optional<mono_time> leader_lock_until;
    /// Start of the next HA cycle (`patroni.next_run`).
    mono_time next_run{};
    std::chrono::seconds ttl{30};
    std::int64_t dcs_last_seen = 0;           ///< Unix seconds of the last good DCS read, 0 if never

    // Dynamic configuration (from the cluster or the last valid one).
    bool paused = false;
    bool standby_cluster = false;
    bool failsafe_mode = false;               ///< dynamic failsafe_mode enabled
    sync_mode synchronous_mode = sync_mode::off;
    std::uint64_t maximum_lag_on_failover = 1048576;
    std::chrono::seconds loop_wait{10};

    bool failsafe_active = false;             ///< ha.failsafe_is_active()
    bool watchdog_failed = false;             ///< watchdog required but unhealthy

    /// Filtered configured tags (rest-api.md 3.4), JSON text values; used by tag_ filters.
    dcs::json_fields tags;
    /// Tags printed in the status document (filtered tags plus a temporary nosync).
    dcs::json_fields effective_tags;
    bool noloadbalance = false;
    std::int64_t failover_priority = 1;       ///< 0 when nofailover

    std::optional<std::string> database_system_identifier;
    /// Non-empty => pending_restart; values already human-readable (`128MB`).
    std::vector<dcs::pending_restart_reason> pending_restart_reasons;
    /// The stored restart request minus postmaster_start_time, as compact JSON object text.
    std::optional<std::string> scheduled_restart;

    restapi_settings restapi;
};

/** Patroni's published tags (tags.py `_filter_tags`): drops the built-in
 *  boolean tags when false, except `nofailover` when `failover_priority` is
 *  set and `nosync` when `sync_priority` is set. Values are JSON text.
 */
[[nodiscard]] PGWARDEN_DECL dcs::json_fields filter_tags(const dcs::json_fields& configured);

} // namespace pgwarden::api

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/api/impl/view.ipp>
#endif
