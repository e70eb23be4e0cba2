// task<T>: an Asio coroutine. Only the awaitable header is pulled in, so
// concept headers stay light.
#pragma once
#include <pgwarden/core/result.hpp>

#include <boost/asio/awaitable.hpp>

namespace pgwarden {

template <class T>
using task = boost::asio::awaitable<T>;

} // namespace pgwarden
