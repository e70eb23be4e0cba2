// The watchdog used when `watchdog.mode` is `off`: every call succeeds and
// nothing is ever armed.
#pragma once
#include <pgwarden/watchdog/concept.hpp>

namespace pgwarden::watchdog {

class null_device {
public:
    result<void> activate(std::chrono::seconds) { return {}; }
    bool is_active() const noexcept { return false; }
    result<void> keepalive() noexcept { return {}; }
    result<void> disable() noexcept { return {}; }
};

static_assert(device<null_device>);

} // namespace pgwarden::watchdog
