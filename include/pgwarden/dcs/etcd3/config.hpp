// The `etcd3` configuration section (config.md 5.4) as the adapter uses it.
// Field names follow Patroni's keys; the config module fills it from YAML and
// PATRONI_ETCD3_* variables (config.md 3.6).
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/result.hpp>
#include <pgwarden/http/url.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace pgwarden::dcs::etcd3 {

struct config {
    // Copied from the top level (config.md 5.4).
    std::string scope;
    std::string namespace_name = "/service/";
    std::string name;                                 ///< our member name
    std::chrono::seconds ttl{30};
    std::chrono::seconds loop_wait{10};
    std::chrono::seconds retry_timeout{10};

    // The section's own keys.
    std::optional<std::string> host;                  ///< `host[:port]`, port 2379
    std::vector<std::string> hosts;                   ///< `host:port` items
    bool use_proxies = false;                         ///< no topology discovery
    std::optional<std::string> url;                   ///< may embed `user:pass@`
    std::optional<std::string> proxy;                 ///< implies use_proxies
    std::optional<std::string> srv;                   ///< DNS SRV domain (wire::srv_queries)
    std::optional<std::string> srv_suffix;            ///< `-<suffix>` on the SRV service names
    std::string protocol = "http";
    std::optional<std::string> username, password;
    std::optional<std::string> cacert, cert, key;
    bool verify = true;                               ///< verify the server certificate (with cacert)

    // Not Patroni keys: knobs for tests and unusual hosts.
    /// DNS servers for `srv` as `addr[:port]` (port 53); empty: `resolv_conf`.
    std::vector<std::string> dns_nameservers;
    std::string resolv_conf = "/etc/resolv.conf";
    /// How often the member list is re-read; unset: 10 x ttl, as Patroni
    /// (`set_machines_cache_ttl(ttl * 10)`).
    std::optional<std::chrono::milliseconds> topology_refresh;
};

/** The endpoints to start from, in Patroni's order of precedence: `proxy`,
 *  then `url`, then `hosts`, then `host`. `protocol` (or the URL's scheme)
 *  selects http/https; the port defaults to 2379. A URL's user info fills
 *  username/password when those are unset (the returned pair).
 *  With `srv` the list holds only the `hosts`/`host` fallback (possibly
 *  none): the client asks DNS first, as Patroni does, and `srv` is set.
 *  Returns error::bad_config when nothing is usable.
 */
struct endpoints_and_auth {
    std::vector<http::endpoint> endpoints;
    bool use_proxies = false;
    bool srv = false;   ///< discover through DNS SRV before using `endpoints`
    std::optional<std::string> username, password;
};

[[nodiscard]] PGWARDEN_DECL result<endpoints_and_auth> resolve_endpoints(const config& cfg);

} // namespace pgwarden::dcs::etcd3

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/dcs/etcd3/impl/config.ipp>
#endif
