// Runs one coroutine to completion on an io_context from a test.
#pragma once
#include <pgwarden/core/task.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <optional>

namespace pgwarden::test {

/// Runs `t` on `io` until it completes and returns its value; other pending
/// work (a fake server's receive loop) stays pending for the next call.
template <class T>
T run_task(boost::asio::io_context& io, task<T> t)
{
    std::optional<T> out;
    boost::asio::co_spawn(io, std::move(t), [&](std::exception_ptr e, T v) {
        if (e) std::rethrow_exception(e);
        out.emplace(std::move(v));
        io.stop();
    });
    io.restart();
    io.run();
    BOOST_REQUIRE(out.has_value());
    return std::move(*out);
}

/// Suspends the calling coroutine for `d` on its executor's timer.
inline task<void> timer_wait(std::chrono::milliseconds d)
{
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
    co_await t.async_wait(boost::asio::use_awaitable);
}

} // namespace pgwarden::test
