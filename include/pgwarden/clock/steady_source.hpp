// The production clock: std::chrono::steady_clock and system_clock, and an
// Asio timer for wait_until.
#pragma once
#include <pgwarden/clock/concept.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>

namespace pgwarden::clock {

/** Reads the real clocks. Copyable and stateless: each copy sees the same time. */
class steady_source {
public:
    mono_time now() const noexcept { return std::chrono::steady_clock::now(); }

    wall_time wall_now() const noexcept
    {
        return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    }

    /// Suspends the calling coroutine until `t` (returns at once if it passed).
    task<void> wait_until(mono_time t) const
    {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, t);
        (void)co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));   // cancellation = early wake
    }
};

static_assert(timed_source<steady_source>);

} // namespace pgwarden::clock
