// Maps the loaded configuration onto what each part of the daemon needs:
// ha::ha_config for the decision, pg::controller_config for the PostgreSQL
// controller. The HA core and the controller never see the YAML model.
#pragma once
#include <pgwarden/config/model.hpp>
#include <pgwarden/ha/inputs.hpp>
#include <pgwarden/pg/controller_config.hpp>

#include <string>

namespace pgwarden::apps {

/// `postgres://host:port/db` as Patroni publishes it (dcs.md 2.2 conn_url).
[[nodiscard]] std::string conn_url(const config::local_config& c);
/// `http(s)://<restapi.connect_address or listen>/patroni` (dcs.md 2.2 api_url).
[[nodiscard]] std::string api_url(const config::local_config& c);

/// The settings ha::decide needs, from the effective (local + dynamic) config.
[[nodiscard]] ha::ha_config to_ha_config(const config::effective_config& c);

/// The PostgreSQL controller's settings; `run_as` is set when we run as root.
[[nodiscard]] pg::controller_config to_controller_config(const config::effective_config& c);

} // namespace pgwarden::apps
