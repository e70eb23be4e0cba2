// The REST API router: a pure function of (request, view, clock reading).
// It parses the method, path, query, headers and body and returns the status
// code, headers and body Patroni 4.1 would send (rest-api.md). For unsafe
// requests that need I/O (a DCS write, a restart) it returns a `command` the
// daemon executes; the router itself never does I/O (STYLE.md 1, 8.1).
#pragma once
#include <pgwarden/api/view.hpp>
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace pgwarden::api {

/// A parsed HTTP request, as views into the server's buffers.
struct request {
    std::string_view method;              ///< upper-case, as sent
    std::string_view target;              ///< path and query, e.g. `/replica?lag=1MB`
    std::optional<std::string_view> authorization;
    std::optional<std::string_view> content_length;   ///< the header's raw value, when present
    std::string_view body;
    std::string_view peer_address;        ///< client IP as text (`127.0.0.1`, `::1`)
    bool client_cert_verified = false;    ///< TLS peer presented a valid certificate
};

/// The instants a request is judged at (only apps/ and clock/ read clocks).
struct clock_reading {
    mono_time now{};
    wall_time wall_now{};
};

// Commands: unsafe requests that passed validation and need the daemon.

/// POST /switchover or /failover after §8.8 steps 1-5. The daemon runs the
/// "is failover possible" checks (see is_failover_possible), writes the
/// failover key and answers (202, or polls for 200/503).
struct switchover_command {
    std::string action;                   ///< `switchover` or `failover` (after step 4)
    std::optional<std::string> leader;
    std::optional<std::string> candidate;
    std::optional<wall_time> scheduled_at;
    std::string scheduled_at_iso;         ///< ISO 8601 with offset, for the failover key
};
/// POST /restart after validation; `schedule` set => 202/409, else restart now.
struct restart_command {
    std::optional<wall_time> schedule;
    std::string schedule_iso;
    std::optional<std::string> role;
    std::optional<std::string> postgres_version;
    std::optional<std::int64_t> timeout_s;
    bool restart_pending = false;
};
struct delete_restart_command {};
struct delete_switchover_command {};
struct reinitialize_command { bool force = false; bool from_leader = false; };
struct reload_command {};
struct patch_config_command { std::string body_json; };   ///< merge into a fresh config (§8.2)
struct put_config_command { std::string body_json; };     ///< §8.3
/// POST /failsafe from the primary (§8.10): `failsafe_mode` was checked.
struct failsafe_command { std::string body_json; };
struct mpp_command { std::string body_json; };            ///< POST /citus, /mpp

using command = std::variant<switchover_command, restart_command, delete_restart_command,
                             delete_switchover_command, reinitialize_command, reload_command,
                             patch_config_command, put_config_command, failsafe_command, mpp_command>;

/// How a response is written on the wire (rest-api.md 1).
enum class response_kind {
    normal,        ///< write_response: Server, Date, headers, Content-Type, extra headers, body
    status_only,   ///< HEAD, OPTIONS, /liveness, /readiness: the status line only
    error_page,    ///< send_error: CPython's HTML page, Connection: close
};

/** A response. The body is either owned (`body`) or, for prebuilt documents,
 *  `shared_body`, which points into the router and lives as long as it.
 *  When `cmd` is set the status and body are not final: the daemon runs the
 *  command and produces the response.
 */
struct response {
    unsigned status = 200;
    response_kind kind = response_kind::normal;
    std::string_view content_type = "text/html";
    std::vector<std::pair<std::string, std::string>> headers;   ///< per-response (WWW-Authenticate, lsn)
    std::string body;
    const std::string* shared_body = nullptr;
    std::optional<command> cmd;
    bool head = false;                    ///< error_page for a HEAD request: no body

    std::string_view body_view() const noexcept { return shared_body ? *shared_body : body; }
};

/// Returns the reason phrase CPython uses for `status` (`OK`, `Service Unavailable`).
[[nodiscard]] PGWARDEN_DECL std::string_view reason_phrase(unsigned status) noexcept;

/// A response with a plain text (`text/html`) body, as write_response.
[[nodiscard]] PGWARDEN_DECL response text_response(unsigned status, std::string body);

/// A send_error response (rest-api.md 1): CPython's HTML error page.
[[nodiscard]] PGWARDEN_DECL response error_response(unsigned status, std::string_view method = {});

/** Serializes `r` into `out` (status line and headers; the body only for
 *  error pages, see below), appending.
 *
 *  `http_minor` 0 answers like Patroni byte for byte: `HTTP/1.0`, no
 *  Content-Length, the connection is closed afterwards. `http_minor` 1 with
 *  `keep_alive` answers `HTTP/1.1` with Content-Length (a deliberate extension,
 *  docs/notes/rest-api.md). The caller writes `r.body_view()` after `out`
 *  unless this returns false (HEAD/status-only: no body).
 *  @param date RFC 1123 date (`Tue, 14 Nov 2023 10:00:00 GMT`).
 */
PGWARDEN_DECL bool write_head(std::string& out, const response& r, const restapi_settings& settings,
                              int http_minor, bool keep_alive, std::string_view date);

/// The body write_head did not write: the error page body (unless HEAD), or `body_view()`.
[[nodiscard]] PGWARDEN_DECL std::string_view body_to_send(const response& r) noexcept;

/// RFC 1123 date for the Date header.
[[nodiscard]] PGWARDEN_DECL std::string http_date(wall_time t);

/** Patroni's `parse_int(value, base_unit)` (rest-api.md 12): strtol with base 0
 *  (or strtod), then an optional unit. Memory units are 1024-based.
 *  @param base_unit `B` (bytes) or `s` (seconds).
 *  Returns nullopt when the value or the unit does not parse.
 */
[[nodiscard]] PGWARDEN_DECL std::optional<std::int64_t> parse_int(std::string_view value,
                                                                  std::string_view base_unit) noexcept;

/** Parses a schedule like dateutil does for ISO 8601: `YYYY-MM-DD[T ]HH:MM[:SS[.f]]`
 *  with `Z`, `+HH`, `+HH:MM` or `+HHMM`. `has_tz` is false when no offset was given.
 */
struct parsed_schedule { wall_time at; bool has_tz = false; };
[[nodiscard]] PGWARDEN_DECL std::optional<parsed_schedule> parse_schedule(std::string_view text) noexcept;

/// ISO 8601 with `+00:00`, as Python's isoformat() of a UTC datetime.
[[nodiscard]] PGWARDEN_DECL std::string iso_format_utc(wall_time t);

/** The precondition checks of POST /switchover (rest-api.md 8.8 step 6),
 *  minus polling the candidates. Returns the 412 message, or the names of the
 *  members whose /patroni the daemon must poll (one good answer suffices;
 *  none => `<action> is not possible: no good candidates have been found`).
 */
struct failover_check {
    std::optional<std::string> error;
    std::vector<std::string> members_to_poll;
};
[[nodiscard]] PGWARDEN_DECL failover_check is_failover_possible(const dcs::cluster_snapshot& cluster,
                                                                sync_mode mode,
                                                                const switchover_command& cmd);

/** The router: built once per view (it prebuilds the /patroni body, /metrics
 *  text and other documents), then answers any number of requests without
 *  locks. `route` is const and does no I/O.
 */
class router {
public:
    PGWARDEN_DECL explicit router(api_view view);

    const api_view& view() const noexcept { return view_; }

    /// Answers `req` at `clock`. @see rest-api.md 1.1 for the routing rules.
    [[nodiscard]] PGWARDEN_DECL response route(const request& req, const clock_reading& clock) const;

    /// True while the cached DCS view is valid (Patroni's `cluster` is not None).
    [[nodiscard]] PGWARDEN_DECL bool cluster_valid(mono_time now) const noexcept;
    /// ha.is_leader().
    [[nodiscard]] PGWARDEN_DECL bool is_leader(mono_time now) const noexcept;

    /// The status document (GET /patroni) as served when the DCS view is valid or not.
    const std::string& status_body(bool cluster_valid) const noexcept { return status_[cluster_valid ? 1 : 0]; }
    const std::string& metrics_body(bool cluster_valid) const noexcept { return metrics_[cluster_valid ? 1 : 0]; }

private:
    response health(const request& req, std::string_view path, std::string_view query,
                    const clock_reading& clock, bool status_only) const;
    response liveness(const clock_reading& clock) const;
    response readiness(std::string_view query, const clock_reading& clock) const;
    response unsafe(const request& req, std::string_view method, std::string_view segment,
                    const clock_reading& clock) const;
    std::optional<response> check_access(const request& req, bool include_members) const;

    api_view view_;
    std::string status_[2];       ///< [cluster valid]
    std::string metrics_[2];
    std::string cluster_;         ///< /cluster
    std::string history_;         ///< /history
    std::optional<std::string> config_;     ///< /config, absent => 502
    std::optional<std::string> failsafe_;   ///< /failsafe, absent => 502
};

} // namespace pgwarden::api

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/api/impl/router.ipp>
#endif
