#pragma once
#include <pgwarden/dcs/zookeeper/error.hpp>

#include <string>

namespace pgwarden::dcs::zookeeper {
namespace detail {

class error_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "pgwarden.zookeeper"; }
    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev)) {
        case error::system_error: return "ZooKeeper system error";
        case error::runtime_inconsistency: return "ZooKeeper runtime inconsistency";
        case error::data_inconsistency: return "ZooKeeper data inconsistency";
        case error::connection_loss: return "connection to ZooKeeper lost";
        case error::marshalling_error: return "ZooKeeper marshalling error";
        case error::unimplemented: return "operation not implemented by ZooKeeper";
        case error::operation_timeout: return "ZooKeeper operation timed out";
        case error::bad_arguments: return "bad arguments to ZooKeeper";
        case error::unknown_session: return "unknown ZooKeeper session";
        case error::api_error: return "ZooKeeper API error";
        case error::no_node: return "ZooKeeper node does not exist";
        case error::no_auth: return "not authorized for this ZooKeeper node";
        case error::bad_version: return "ZooKeeper node version mismatch";
        case error::no_children_for_ephemerals: return "ephemeral ZooKeeper nodes cannot have children";
        case error::node_exists: return "ZooKeeper node already exists";
        case error::not_empty: return "ZooKeeper node has children";
        case error::session_expired: return "ZooKeeper session expired";
        case error::invalid_callback: return "invalid ZooKeeper callback";
        case error::invalid_acl: return "invalid ZooKeeper ACL";
        case error::auth_failed: return "ZooKeeper authentication failed";
        case error::session_moved: return "ZooKeeper session moved to another server";
        case error::not_read_only: return "ZooKeeper server is read-only";
        case error::ephemeral_on_local_session: return "ephemeral node on a local ZooKeeper session";
        case error::no_watcher: return "no such ZooKeeper watcher";
        case error::request_timeout: return "ZooKeeper request timed out";
        case error::reconfig_disabled: return "ZooKeeper reconfiguration disabled";
        case error::session_closed_require_sasl_auth: return "ZooKeeper session requires SASL";
        case error::quota_exceeded: return "ZooKeeper quota exceeded";
        case error::throttled: return "ZooKeeper request throttled";
        case error::malformed_frame: return "malformed ZooKeeper frame";
        case error::frame_too_large: return "ZooKeeper frame exceeds the maximum size";
        case error::unexpected_reply: return "ZooKeeper reply matches no request";
        case error::not_connected: return "not connected to ZooKeeper";
        case error::closed: return "ZooKeeper session closed";
        case error::bad_config: return "unusable ZooKeeper configuration";
        }
        return "ZooKeeper error " + std::to_string(ev);
    }
    boost::system::error_condition default_error_condition(int ev) const noexcept override
    {
        switch (static_cast<error>(ev)) {
        case error::no_node: return condition::not_found;
        case error::node_exists:
        case error::bad_version:
        case error::not_empty: return condition::cas_conflict;
        case error::connection_loss:
        case error::session_expired:
        case error::session_moved:
        case error::unknown_session:
        case error::not_connected:
        case error::closed:
        case error::not_read_only:
        case error::throttled: return condition::unavailable;
        case error::operation_timeout:
        case error::request_timeout: return condition::timeout;
        case error::no_auth:
        case error::auth_failed:
        case error::session_closed_require_sasl_auth: return condition::unauthorized;
        case error::malformed_frame:
        case error::frame_too_large:
        case error::unexpected_reply:
        case error::marshalling_error:
        case error::system_error:
        case error::runtime_inconsistency:
        case error::data_inconsistency:
        case error::api_error: return condition::invalid_response;
        case error::bad_arguments:
        case error::invalid_acl:
        case error::invalid_callback:
        case error::no_children_for_ephemerals:
        case error::ephemeral_on_local_session:
        case error::no_watcher:
        case error::unimplemented:
        case error::reconfig_disabled:
        case error::quota_exceeded:
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

} // namespace pgwarden::dcs::zookeeper
