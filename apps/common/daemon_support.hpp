// Non-template parts of the daemons: parsing peers' /patroni answers,
// building the REST API view from an HA cycle, dynamic configuration
// adoption. Compiled once (daemon_support.cpp).
#pragma once
#include <pgwarden/api/view.hpp>
#include <pgwarden/config/model.hpp>
#include <pgwarden/ha/engine.hpp>
#include <pgwarden/pg/slots.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pgwarden::apps {

/// A peer's `GET /patroni` body reduced to what the HA loop reads (ha-loop.md 23).
/// A body that is not JSON or has no `xlog`/`wal` gives `reachable == false`.
[[nodiscard]] ha::peer_status parse_peer_status(std::string name, std::string_view body);

/// Everything the view needs besides the cycle report.
struct view_context {
    const config::effective_config* config = nullptr;
    const ha::ha_config* ha = nullptr;
    mono_time next_run{};
    std::int64_t dcs_last_seen = 0;   ///< Unix seconds of the last good DCS read
    api::restapi_settings restapi;
};

/// The REST API's view of one HA cycle.
[[nodiscard]] api::api_view build_view(const ha::cycle_report& r, const view_context& ctx);

/// The restapi settings (auth key, allowlist, headers) from the config.
[[nodiscard]] api::restapi_settings restapi_settings_from(const config::local_config& c);

/** The dynamic configuration in force: `/config` from the DCS when it holds
 *  an object (dcs.md 2.3), else the local cache `patroni.dynamic.json`, else
 *  `bootstrap.dcs`. Timeouts are adjusted (ha-loop.md 1.1); `warnings` gets
 *  the adjustment texts. */
[[nodiscard]] config::dynamic_config pick_dynamic(const config::local_config& local,
                                                  const std::optional<std::string>& dcs_config_json,
                                                  std::vector<std::string>* warnings);

/** The replication slots this node should have (ha-loop.md 14.1): member
 *  slots for the other members (all of them on PG >= 11 with member_slots_ttl,
 *  except `nostream` ones; a nofailover node keeps only its cascading
 *  members'), names in `status.retain_slots`, and the permanent slots. */
[[nodiscard]] pg::slot_plan desired_slots(const dcs::cluster_snapshot& cluster, const ha::ha_config& cfg,
                                          bool leader, int server_version);

/// Reads `<data_dir>/patroni.dynamic.json` ("" when missing).
[[nodiscard]] std::string read_dynamic_cache(const config::local_config& local);
/// Writes `<data_dir>/patroni.dynamic.json` when the data directory exists.
void write_dynamic_cache(const config::local_config& local, const std::string& json);

} // namespace pgwarden::apps
