#pragma once
#include <pgwarden/dcs/etcd3/error.hpp>

#include <string>

namespace pgwarden::dcs::etcd3 {
namespace detail {

class error_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "pgwarden.etcd3"; }
    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
        case error::unreachable: return "etcd is unreachable";
        case error::lease_not_found: return "etcd lease not found";
        case error::auth_failed: return "etcd authentication failed";
        case error::permission_denied: return "etcd permission denied";
        case error::bad_response: return "unparsable etcd response";
        case error::server_error: return "etcd returned an error";
        case error::unsupported_version: return "unsupported etcd version";
        case error::bad_config: return "unusable etcd3 configuration";
        case error::tls_failed:
            return "TLS handshake with etcd failed (server certificate not trusted by cacert, "
                   "or client certificate refused)";
        case error::discovery_failed: return "no etcd endpoint found through DNS SRV";
        }
        return "unknown etcd3 error";
    }
    boost::system::error_condition default_error_condition(int ev) const noexcept override
    {
        switch (static_cast<error>(ev)) {
        case error::unreachable:
        case error::tls_failed:
        case error::discovery_failed: return condition::unavailable;
        case error::lease_not_found: return condition::not_found;
        case error::auth_failed:
        case error::permission_denied: return condition::unauthorized;
        case error::bad_response:
        case error::server_error: return condition::invalid_response;
        case error::unsupported_version:
        case error::bad_config: return condition::invalid_argument;
        }
        return {ev, *this};
    }
};

} // namespace detail

PGWARDEN_DECL const boost::system::error_category& error_category() noexcept
{
    static const detail::error_category_impl cat;
    return cat;
}

} // namespace pgwarden::dcs::etcd3
