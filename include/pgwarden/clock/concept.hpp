// The clock policy (STYLE.md 2). A clock is an object, so that each simulated
// node can drift and jump; only clock/ models call ::now().
#pragma once
#include <pgwarden/core/task.hpp>
#include <pgwarden/core/time.hpp>

#include <concepts>

namespace pgwarden::clock {

/** Requirements:
 *  1. `c.now()` returns monotonic time, never decreasing for one object;
 *  2. `c.wall_now()` returns wall-clock time, which may jump.
 */
template <class C>
concept source = std::copy_constructible<C> && requires(const C& c) {
    { c.now() } noexcept -> std::same_as<mono_time>;
    { c.wall_now() } noexcept -> std::same_as<wall_time>;
};

/** A source that can also suspend a coroutine until a monotonic deadline.
 *  3. `co_await c.wait_until(t)` resumes no earlier than `t` by this clock.
 */
template <class C>
concept timed_source = source<C> && requires(C& c, mono_time t) {
    { c.wait_until(t) } -> std::same_as<task<void>>;
};

} // namespace pgwarden::clock
