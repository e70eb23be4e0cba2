// The portable error conditions every caller branches on.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/result.hpp>

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/error_condition.hpp>

#include <type_traits>

namespace pgwarden {

/** Portable conditions that unify the errors of every adapter.
 *
 *  etcd "key exists", Consul "session invalid" and a Kubernetes 409 all
 *  compare equal to condition::cas_conflict; a caller writes
 *  `if (ec == condition::unavailable)` and never looks at adapter codes.
 *  A new value is added only when some caller reacts to it differently.
 */
enum class condition {
    unavailable = 1,   ///< the service could not be reached (DCS error in Patroni's terms)
    cas_conflict,      ///< a compare-and-set or create-if-absent lost the race
    not_found,         ///< the key, object or file does not exist
    timeout,           ///< the deadline passed before an answer came
    unauthorized,      ///< authentication or permission was refused
    invalid_response,  ///< the peer answered something we cannot interpret
    invalid_argument,  ///< the caller passed something the operation rejects
};

/// The category of pgwarden::condition.
PGWARDEN_DECL const boost::system::error_category& condition_category() noexcept;

/// Makes condition usable with `==` against any error_code.
inline boost::system::error_condition make_error_condition(condition c) noexcept
{
    return {static_cast<int>(c), condition_category()};
}

/// Generic errors that need no module of their own. Each maps to the
/// condition of the same name (same number, on purpose).
enum class error {
    unavailable = static_cast<int>(condition::unavailable),
    cas_conflict = static_cast<int>(condition::cas_conflict),
    not_found = static_cast<int>(condition::not_found),
    timeout = static_cast<int>(condition::timeout),
    unauthorized = static_cast<int>(condition::unauthorized),
    invalid_response = static_cast<int>(condition::invalid_response),
    invalid_argument = static_cast<int>(condition::invalid_argument),
};

PGWARDEN_DECL const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

} // namespace pgwarden

template <>
struct boost::system::is_error_condition_enum<pgwarden::condition> : std::true_type {};
template <>
struct boost::system::is_error_code_enum<pgwarden::error> : std::true_type {};

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/core/impl/error.ipp>
#endif
