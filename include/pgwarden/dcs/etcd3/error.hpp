// Errors of the etcd v3 adapter (dcs.md 5.1) and their conditions.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/error.hpp>

#include <type_traits>

namespace pgwarden::dcs::etcd3 {

/** What went wrong talking to etcd. Callers branch on pgwarden::condition:
 *  unreachable/tls_failed/discovery_failed -> unavailable, lease_not_found -> not_found,
 *  auth_failed/permission_denied -> unauthorized, bad_response/server_error ->
 *  invalid_response, unsupported_version/bad_config -> invalid_argument.
 */
enum class error {
    unreachable = 1,       ///< no endpoint answered within retry_timeout (gRPC 14 included)
    lease_not_found,       ///< "etcdserver: requested lease not found" (gRPC 5)
    auth_failed,           ///< bad user name or password, or re-authentication failed
    permission_denied,     ///< "etcdserver: permission denied" (gRPC 7)
    bad_response,          ///< a 2xx answer we cannot parse
    server_error,          ///< any other gRPC error from the gateway
    unsupported_version,   ///< the cluster is older than etcd 3.0.4 (or /version unreadable)
    bad_config,            ///< no usable endpoint in the configuration
    tls_failed,            ///< TLS handshake failed (untrusted server, refused client certificate) -> unavailable
    discovery_failed,      ///< DNS SRV found no endpoint and no host is configured -> unavailable
};

PGWARDEN_DECL const boost::system::error_category& error_category() noexcept;

inline error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

} // namespace pgwarden::dcs::etcd3

template <>
struct boost::system::is_error_code_enum<pgwarden::dcs::etcd3::error> : std::true_type {};

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/dcs/etcd3/impl/error.ipp>
#endif
