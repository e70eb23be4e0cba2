// The watchdog the daemons use: `watchdog.mode` decides what a failing
// device means (ha-loop.md 19). `off` never touches a device; `automatic`
// uses one when it can and otherwise carries on; `required` reports every
// failure, which makes decide refuse leadership.
#pragma once
#include <pgwarden/watchdog/linux_device.hpp>

#include <memory>

namespace pgwarden::apps {

class watchdog_policy {
public:
    enum class mode { off, automatic, required };

    watchdog_policy(mode m, std::string device) : mode_(m), device_(std::move(device)) {}

    result<void> activate(std::chrono::seconds timeout)
    {
        if (mode_ == mode::off) return {};
        if (!dev_) dev_ = std::make_unique<watchdog::linux_device>(device_);
        auto r = dev_->activate(timeout);
        if (!r && mode_ == mode::automatic) return {};
        return r;
    }
    bool is_active() const noexcept { return dev_ && dev_->is_active(); }
    result<void> keepalive() noexcept
    {
        if (!is_active()) return {};
        auto r = dev_->keepalive();
        if (!r && mode_ == mode::automatic) return {};
        return r;
    }
    result<void> disable() noexcept { return dev_ ? dev_->disable() : result<void>{}; }
    /// See linux_device::leave_armed (the engine calls it on a failed shutdown).
    void leave_armed() noexcept
    {
        if (dev_) dev_->leave_armed();
    }

private:
    mode mode_;
    std::string device_;
    std::unique_ptr<watchdog::linux_device> dev_;
};

static_assert(watchdog::device<watchdog_policy>);

} // namespace pgwarden::apps
