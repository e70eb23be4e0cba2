// A small deterministic random number generator (xoshiro256**, seeded through
// splitmix64). std::*_distribution differs across standard libraries, so
// uniform() is our own: a seed replays identically everywhere.
#pragma once
#include <pgwarden/core/assert.hpp>

#include <cstdint>

__extension__ typedef unsigned __int128 pgwarden_uint128;   // GCC/Clang: no -Wpedantic noise

namespace pgwarden {

class rng {
public:
    explicit rng(std::uint64_t seed) noexcept
    {
        for (auto& s : s_) {
            seed += 0x9e3779b97f4a7c15ULL;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            s = z ^ (z >> 31);
        }
    }

    /// The next 64 random bits.
    std::uint64_t next() noexcept
    {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    /// A uniform integer in [lo, hi], without modulo bias (Lemire's method).
    std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) noexcept
    {
        PGWARDEN_ASSERT(lo <= hi);
        const std::uint64_t range = hi - lo;
        if (range == UINT64_MAX) return next();
        const std::uint64_t n = range + 1;
        pgwarden_uint128 m = static_cast<pgwarden_uint128>(next()) * n;
        auto low = static_cast<std::uint64_t>(m);
        if (low < n) {
            const std::uint64_t threshold = (0 - n) % n;
            while (low < threshold) {
                m = static_cast<pgwarden_uint128>(next()) * n;
                low = static_cast<std::uint64_t>(m);
            }
        }
        return lo + static_cast<std::uint64_t>(m >> 64);
    }

    /// True with probability num/den.
    bool chance(std::uint64_t num, std::uint64_t den) noexcept
    {
        PGWARDEN_ASSERT(den > 0);
        return uniform(0, den - 1) < num;
    }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept
    {
        return (x << k) | (x >> (64 - k));
    }
    std::uint64_t s_[4]{};
};

} // namespace pgwarden
