// The receiving side of DCS failsafe mode (ha-loop.md 17, rest-api.md 8.10),
// and the body the sending side POSTs. Pure: the daemon passes the clock
// reading and the facts (is PostgreSQL a running primary, our WAL position)
// in; nothing here reads a clock or does I/O.
#pragma once
#include <pgwarden/api/router.hpp>
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/lsn.hpp>
#include <pgwarden/core/time.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgwarden::api {

/** The body of `POST /failsafe`: the primary that runs without the DCS
 *  (rest-api.md 8.10). `slots` holds the primary's slot positions,
 *  including its own name with its WAL position; absent when the sender
 *  sent none (or `null`). */
struct failsafe_post {
    std::string name;
    std::string conn_url;
    std::string api_url;
    std::optional<std::vector<std::pair<std::string, lsn>>> slots;
};

/** Parses a `POST /failsafe` body. Returns the record, or nullopt with
 *  `why` naming the problem (`failsafe: 'name' is missing or not a
 *  non-empty string`). `name` is required; `conn_url` and `api_url` must
 *  be strings when present (Patroni requires them too, an absent one
 *  counts as empty here); `slots` entries that are not non-negative
 *  integers are skipped. */
[[nodiscard]] PGWARDEN_DECL std::optional<failsafe_post> parse_failsafe_post(std::string_view body,
                                                                             std::string* why);

/// The JSON body a primary sends: `{"name":…,"conn_url":…,"api_url":…,"slots":{…}}`.
[[nodiscard]] PGWARDEN_DECL std::string encode_failsafe_post(const failsafe_post& p);

/** `<scheme>://<host:port>/failsafe` from a member's `api_url`: the path
 *  (and any query) replaced, as Patroni's Member.get_endpoint_url does.
 *  Returns "" when `api_url` has no `scheme://`. */
[[nodiscard]] PGWARDEN_DECL std::string failsafe_endpoint(std::string_view api_url);

/** The failsafe leader a replica remembers (Patroni: ha.Failsafe on the
 *  receiving side).
 *
 *  Invariants:
 *  - `leader(now, ttl)` is set iff a POST was accepted at `t` and
 *    `now < t + max(ttl at t, ttl)`: the longer of the two ttls, so that a
 *    ttl lowered while the leader is cut off cannot end the record before
 *    the leader's watchdog (armed with the old ttl) fires
 *    (docs/notes/sim.md "Failsafe and a lowered ttl"). Patroni uses only the
 *    current ttl.
 */
class failsafe_receiver {
public:
    /** Handles `POST /failsafe` (the router checked `failsafe_mode`).
     *  @param running_primary PostgreSQL on this node runs as a primary
     *  @param own_lsn         our last known WAL position, for the `lsn` header
     *  Returns 400 naming the field when the body is unusable, 500
     *  `Running as a leader` on a running primary (nothing remembered), else
     *  remembers the sender and returns 200 `Accepted` (with `lsn` when known). */
    [[nodiscard]] PGWARDEN_DECL response accept(std::string_view body_json, bool running_primary,
                                                std::optional<lsn> own_lsn, mono_time now,
                                                std::chrono::milliseconds ttl);

    /// The remembered leader while the record is valid (see the class invariant).
    [[nodiscard]] PGWARDEN_DECL const failsafe_post* leader(mono_time now, std::chrono::milliseconds ttl) const noexcept;

    /// Patroni: Failsafe.is_active() on a replica (REST `failsafe_mode_is_active`).
    [[nodiscard]] bool is_active(mono_time now, std::chrono::milliseconds ttl) const noexcept
    {
        return leader(now, ttl) != nullptr;
    }

    /// Forgets the record (Patroni: Failsafe.set_is_active(0), e.g. on promotion).
    void reset() noexcept { last_.reset(); }

private:
    struct record {
        failsafe_post post;
        mono_time at{};
        std::chrono::milliseconds ttl{};
    };
    std::optional<record> last_;
};

} // namespace pgwarden::api

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/api/impl/failsafe.ipp>
#endif
