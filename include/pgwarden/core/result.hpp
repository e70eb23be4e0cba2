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

} // namespace pgwarden
