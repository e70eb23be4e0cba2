// GET /metrics: the Prometheus text Patroni emits (rest-api.md 6.7).
#pragma once
#include <pgwarden/api/view.hpp>
#include <pgwarden/core/config.hpp>

#include <string>

namespace pgwarden::api {

/** Renders the /metrics body for `view`, lines joined by `\n` plus a final
 *  `\n`, in Patroni's emission order with labels `{scope="..",name=".."}`.
 *  @param cluster_valid whether the cached DCS view is valid (Patroni's
 *         `cluster` is not None); it decides cluster_unlocked and sync_standby.
 *  @see patroni/api.py do_GET_metrics
 */
[[nodiscard]] PGWARDEN_DECL std::string render_metrics(const api_view& view, bool cluster_valid);

/// The numeric index of a PostgreSQL state string (rest-api.md 5.4), -1 if unknown.
[[nodiscard]] PGWARDEN_DECL int postgres_state_index(std::string_view state) noexcept;

} // namespace pgwarden::api

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/api/impl/metrics.ipp>
#endif
