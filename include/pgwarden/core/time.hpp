// Time values. Only clock/ and apps/ may read a clock; everything else takes
// time as an argument (STYLE.md 3).
#pragma once
#include <chrono>

namespace pgwarden {

/// A point on the monotonic clock: the base of every timeout and lease.
using mono_time = std::chrono::steady_clock::time_point;
/// Wall-clock time with millisecond precision: for display and DCS timestamps.
using wall_time = std::chrono::sys_time<std::chrono::milliseconds>;

using std::chrono::milliseconds;
using std::chrono::seconds;

} // namespace pgwarden
