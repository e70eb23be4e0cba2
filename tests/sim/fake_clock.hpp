// A node's skewed clock (TigerBeetle `Time`): a monotonic clock that drifts
// by a bounded rate against true virtual time, and a wall clock that may
// also jump. Nodes only ever see these; only the world knows true time.
#pragma once
#include "sim.hpp"

#include <pgwarden/core/time.hpp>

#include <chrono>
#include <cstdint>

namespace pgwarden::sim {

class fake_clock {
public:
    fake_clock() = default;
    fake_clock(std::int64_t mono_offset_ms, std::int64_t drift_ppm) noexcept
        : mono_offset_ms_(mono_offset_ms), drift_ppm_(drift_ppm) {}

    /// The node-local monotonic reading at true time `t` (milliseconds).
    std::int64_t local_ms(vtime t) const noexcept
    {
        return mono_offset_ms_ + t + t * drift_ppm_ / 1000000;
    }
    mono_time mono(vtime t) const noexcept
    {
        return mono_time(std::chrono::duration_cast<mono_time::duration>(
            std::chrono::milliseconds(local_ms(t))));
    }
    /// Wall clock: 2026-01-01 plus true time, plus a (jumpable) offset.
    wall_time wall(vtime t) const noexcept
    {
        return wall_time(std::chrono::milliseconds(1767225600000LL + t + wall_offset_ms_));
    }
    /// How much true time passes while the node's clock advances `local`.
    vtime true_duration(std::int64_t local) const noexcept
    {
        return local * 1000000 / (1000000 + drift_ppm_);
    }
    void jump_wall(std::int64_t delta_ms) noexcept { wall_offset_ms_ += delta_ms; }
    std::int64_t drift_ppm() const noexcept { return drift_ppm_; }

private:
    std::int64_t mono_offset_ms_ = 0;
    std::int64_t drift_ppm_ = 0;
    std::int64_t wall_offset_ms_ = 0;
};

} // namespace pgwarden::sim
