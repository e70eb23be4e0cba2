// The watchdog policy (ha-loop.md 19): synchronous, ioctls on /dev/watchdog.
#pragma once
#include <pgwarden/core/result.hpp>

#include <chrono>
#include <concepts>

namespace pgwarden::watchdog {

/** Requirements:
 *  1. `activate(t)` arms the device so that the machine resets unless
 *     keepalive() is called within t; calling it again re-arms with a new t;
 *  2. `keepalive()` postpones the reset; an error means the device is gone;
 *  3. `disable()` disarms (magic close); `is_active()` tells whether it is armed.
 */
template <class W>
concept device = requires(W& w, const W& cw, std::chrono::seconds timeout) {
    { w.activate(timeout) } -> std::same_as<result<void>>;
    { cw.is_active() } noexcept -> std::same_as<bool>;
    { w.keepalive() } noexcept -> std::same_as<result<void>>;
    { w.disable() } noexcept -> std::same_as<result<void>>;
};

} // namespace pgwarden::watchdog
