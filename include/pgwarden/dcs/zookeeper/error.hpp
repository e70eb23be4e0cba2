// Errors of the ZooKeeper adapter (dcs.md 6) and their conditions.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/error.hpp>

#include <cstdint>
#include <type_traits>

namespace pgwarden::dcs::zookeeper {

/** What went wrong talking to ZooKeeper.
 *
 *  Negative values are the server's own error codes (KeeperException.Code,
 *  as they appear in the `err` field of a reply header), so a reply maps to
 *  an error by a cast (from_server). Positive values are found by the client.
 *
 *  Conditions: no_node -> not_found; node_exists, bad_version, not_empty ->
 *  cas_conflict; connection_loss, session_expired, session_moved,
 *  not_connected, closed -> unavailable; operation_timeout, request_timeout
 *  -> timeout; no_auth,
 *  auth_failed -> unauthorized; malformed_frame, frame_too_large,
 *  unexpected_reply, marshalling_error, system_error -> invalid_response;
 *  bad_arguments, invalid_acl, no_children_for_ephemerals, unimplemented ->
 *  invalid_argument.
 */
enum class error : std::int32_t {
    // server codes
    system_error = -1,
    runtime_inconsistency = -2,
    data_inconsistency = -3,
    connection_loss = -4,
    marshalling_error = -5,
    unimplemented = -6,
    operation_timeout = -7,
    bad_arguments = -8,
    unknown_session = -12,
    api_error = -100,
    no_node = -101,
    no_auth = -102,
    bad_version = -103,
    no_children_for_ephemerals = -108,
    node_exists = -110,
    not_empty = -111,
    session_expired = -112,
    invalid_callback = -113,
    invalid_acl = -114,
    auth_failed = -115,
    session_moved = -118,
    not_read_only = -119,
    ephemeral_on_local_session = -120,
    no_watcher = -121,
    request_timeout = -122,
    reconfig_disabled = -123,
    session_closed_require_sasl_auth = -124,
    quota_exceeded = -125,
    throttled = -127,
    // client codes
    malformed_frame = 1,   ///< a frame or record shorter than its fields, or a negative length
    frame_too_large,       ///< a length prefix above the configured maximum
    unexpected_reply,      ///< a reply whose xid matches no request
    not_connected,         ///< a request issued while the session is not connected
    closed,                ///< the session was closed by us
    bad_config,            ///< no usable endpoint, or an endpoint other than 127.0.0.1
};

PGWARDEN_DECL const boost::system::error_category& error_category() noexcept;

inline error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

/// The error for a non-zero `err` field of a reply header.
inline error_code from_server(std::int32_t err) noexcept
{
    return {static_cast<int>(err), error_category()};
}

} // namespace pgwarden::dcs::zookeeper

template <>
struct boost::system::is_error_code_enum<pgwarden::dcs::zookeeper::error> : std::true_type {};

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/dcs/zookeeper/impl/error.ipp>
#endif
