// The timeline tree behind fake_pg (see fake_pg.hpp).
#include "fake_pg.hpp"

#include <pgwarden/core/assert.hpp>

#include <algorithm>

namespace pgwarden::sim {

std::int64_t timeline_tree::fork(std::int64_t parent, std::uint64_t at)
{
    PGWARDEN_ASSERT(parent >= 1 && parent <= highest());
    parents_.push_back(parent);
    switches_.push_back(at);
    numbers_.push_back(number(parent) + 1);
    return highest();
}

std::int64_t timeline_tree::owner_at(std::int64_t t, std::uint64_t x) const noexcept
{
    // Bytes up to the switch point of t were written on its parent.
    while (t > 1 && x <= switch_point(t)) t = parent(t);
    return t;
}

bool timeline_tree::contains(std::int64_t a_tli, std::uint64_t a_lsn, std::int64_t b_tli,
                             std::uint64_t b_lsn) const noexcept
{
    return b_lsn <= a_lsn && owner_at(a_tli, b_lsn) == owner_at(b_tli, b_lsn);
}

std::uint64_t timeline_tree::common(std::int64_t a_tli, std::uint64_t a_lsn, std::int64_t b_tli,
                                    std::uint64_t b_lsn) const noexcept
{
    std::uint64_t x = std::min(a_lsn, b_lsn);
    for (;;) {
        const auto oa = owner_at(a_tli, x);
        const auto ob = owner_at(b_tli, x);
        if (oa == ob) return x;
        // The more recent fork starts later: step back to its switch point.
        x = std::min(x, switch_point(std::max(oa, ob)));
    }
}

} // namespace pgwarden::sim
