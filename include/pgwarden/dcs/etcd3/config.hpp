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
    std::optional<std::string> srv;                   ///< DNS SRV: not supported yet
    std::optional<std::string> srv_suffix;
    std::string protocol = "http";
    std::optional<std::string> username, password;
    std::optional<std::string> cacert, cert, key;
    bool verify = true;                               ///< verify the server certificate (with cacert)
};

/** The endpoints to start from, in Patroni's order of precedence: `proxy`,
 *  then `url`, then `hosts`, then `host`. `protocol` (or the URL's scheme)
 *  selects http/https; the port defaults to 2379. A URL's user info fills
 *  username/password when those are unset (the returned pair).
 *  Returns error::bad_config when none is usable or `srv` is the only source
 *  (DNS SRV discovery is not implemented: docs/notes/etcd3.md).
 */
struct endpoints_and_auth {
    std::vector<http::endpoint> endpoints;
    bool use_proxies = false;
    std::optional<std::string> username, password;
};

[[nodiscard]] PGWARDEN_DECL result<endpoints_and_auth> resolve_endpoints(const config& cfg);

} // namespace pgwarden::dcs::etcd3

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/dcs/etcd3/impl/config.ipp>
#endif
