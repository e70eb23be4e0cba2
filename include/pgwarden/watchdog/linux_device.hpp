// The Linux watchdog device (/dev/watchdog, ha-loop.md 19): WDIOC_SETTIMEOUT
// to arm, WDIOC_KEEPALIVE to feed, the magic 'V' close to disarm.
#pragma once
#include <pgwarden/core/error.hpp>
#include <pgwarden/watchdog/concept.hpp>

#include <fcntl.h>
#include <linux/watchdog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace pgwarden::watchdog {

/** Drives a Linux watchdog device. With `required` mode a failure to open or
 *  arm is returned to the caller, which refuses leadership (ha-loop.md 19). */
class linux_device {
public:
    explicit linux_device(std::string path = "/dev/watchdog") : path_(std::move(path)) {}
    linux_device(const linux_device&) = delete;
    linux_device& operator=(const linux_device&) = delete;
    ~linux_device() { (void)disable(); }

    [[nodiscard]] result<void> activate(std::chrono::seconds timeout)
    {
        if (fd_ < 0) {
            fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
            if (fd_ < 0) return error_code(errno, boost::system::system_category());
        }
        int t = static_cast<int>(timeout.count());
        if (::ioctl(fd_, WDIOC_SETTIMEOUT, &t) != 0) {
            auto ec = error_code(errno, boost::system::system_category());
            (void)disable();
            return ec;
        }
        return keepalive();
    }

    bool is_active() const noexcept { return fd_ >= 0; }

    [[nodiscard]] result<void> keepalive() noexcept
    {
        if (fd_ < 0) return error_code(error::invalid_argument);
        int dummy = 0;
        if (::ioctl(fd_, WDIOC_KEEPALIVE, &dummy) != 0)
            return error_code(errno, boost::system::system_category());
        return {};
    }

    [[nodiscard]] result<void> disable() noexcept
    {
        if (fd_ < 0) return {};
        // The magic close: write 'V' so that closing does not reset the machine.
        (void)!::write(fd_, "V", 1);
        ::close(fd_);
        fd_ = -1;
        return {};
    }

    /** Closes the device without the magic character: the kernel keeps the timer running and
     *  resets the machine when it expires. For a daemon that exits while its PostgreSQL still
     *  runs as a primary it could not stop (Patroni: "Leaving watchdog running"). */
    void leave_armed() noexcept
    {
        if (fd_ < 0) return;
        ::close(fd_);
        fd_ = -1;
    }

private:
    std::string path_;
    int fd_ = -1;
};

static_assert(device<linux_device>);

} // namespace pgwarden::watchdog
