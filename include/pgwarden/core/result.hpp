// result<T>: the return type of every operation that can fail in an expected way.
#pragma once
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace pgwarden {

/// Expected failures are values, not exceptions (STYLE.md 6.2). The error is
/// always a boost::system::error_code; callers branch on pgwarden::condition.
template <class T>
using result = boost::system::result<T, boost::system::error_code>;

using error_code = boost::system::error_code;

/** A failure convertible to any result<T>. Needed for result<bool>, which
 *  cannot be built from an error_code directly (bool is constructible from
 *  one): write `return fail(ec);` or `co_return fail(ec);` everywhere. */
struct failure {
    error_code ec;
    template <class T>
    operator result<T>() const   // NOLINT: implicit on purpose
    {
        return result<T>(boost::system::in_place_error, ec);
    }
};

[[nodiscard]] inline failure fail(error_code ec) noexcept { return failure{ec}; }

} // namespace pgwarden
