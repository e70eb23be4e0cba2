// A fake /dev/watchdog: once armed, it resets the node unless kept alive
// within its timeout. It runs on true time, like the kernel's timer, so a
// paused pgwarden process cannot stop it (the split-brain it exists for).
#pragma once
#include "sim.hpp"

namespace pgwarden::sim {

struct fake_watchdog {
    bool usable = true;                 ///< a device exists (watchdog.mode automatic finds it)
    bool armed = false;
    vtime timeout_ms = 0;
    vtime deadline = 0;

    bool activate(vtime now, vtime timeout) noexcept
    {
        if (!usable) return false;
        armed = true;
        timeout_ms = timeout;
        deadline = now + timeout;
        return true;
    }
    void keepalive(vtime now) noexcept
    {
        if (armed) deadline = now + timeout_ms;
    }
    void disable() noexcept { armed = false; }
    /// True when the timer ran out: the machine resets.
    bool fired(vtime now) const noexcept { return armed && now >= deadline; }
};

} // namespace pgwarden::sim
