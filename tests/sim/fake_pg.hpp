// A fake PostgreSQL: role, timeline and WAL positions, crash, hang, slow
// start, and divergence that needs pg_rewind. WAL contents are modelled by
// position only: a position is (timeline, lsn), and the timeline tree
// (parent and switch point of every timeline) tells whether one node's WAL
// is a prefix of another's, exactly the question pg_rewind answers.
#pragma once
#include "sim.hpp"

#include <pgwarden/core/lsn.hpp>
#include <pgwarden/pg/model.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pgwarden::sim {

/** Every timeline ever created. Timelines are identified by an internal id
 *  (1, 2, ... in creation order); id t > 1 forked from parent(t) at
 *  switch(t). Its PostgreSQL timeline *number* is the parent's number + 1,
 *  as PostgreSQL picks it without a shared archive, so two promotions from
 *  the same timeline produce two different histories with the same number:
 *  exactly what S3 must catch.
 */
class timeline_tree {
public:
    /// Registers a new timeline forked from `parent` at `at`; returns its id.
    std::int64_t fork(std::int64_t parent, std::uint64_t at);
    /// The PostgreSQL timeline number of id `t`.
    std::int64_t number(std::int64_t t) const noexcept { return numbers_[static_cast<std::size_t>(t - 1)]; }
    std::int64_t highest() const noexcept { return static_cast<std::int64_t>(parents_.size()); }
    /// The timeline that wrote byte position `x` on the lineage of `t`.
    std::int64_t owner_at(std::int64_t t, std::uint64_t x) const noexcept;
    /// True when WAL (a_tli, a_lsn) contains WAL (b_tli, b_lsn) as a prefix.
    bool contains(std::int64_t a_tli, std::uint64_t a_lsn, std::int64_t b_tli, std::uint64_t b_lsn) const noexcept;
    /// The longest common prefix of two WAL positions.
    std::uint64_t common(std::int64_t a_tli, std::uint64_t a_lsn, std::int64_t b_tli, std::uint64_t b_lsn) const noexcept;
    std::int64_t parent(std::int64_t t) const noexcept { return parents_[static_cast<std::size_t>(t - 1)]; }
    std::uint64_t switch_point(std::int64_t t) const noexcept { return switches_[static_cast<std::size_t>(t - 1)]; }

private:
    std::vector<std::int64_t> parents_{0};      ///< timeline 1 has no parent
    std::vector<std::uint64_t> switches_{0};
    std::vector<std::int64_t> numbers_{1};
};

struct fake_pg {
    bool data_ok = true;                ///< data directory present (false after a wipe)
    bool running = false;
    vtime ready_at = 0;                 ///< accepts connections from then (slow start)
    bool hung = false;                  ///< accepts nothing, probe times out
    bool in_recovery = true;
    bool recovery_conf = true;          ///< standby.signal present
    bool clean = true;                  ///< last shutdown was clean
    std::int64_t tli = 1;               ///< timeline_tree id (not the number)
    std::uint64_t lsn = 0;              ///< primary: flush; standby: received == replayed
    std::optional<std::string> upstream;   ///< primary_conninfo target (member name)
    bool streaming = false;
    std::uint64_t apply_rate = 0;       ///< standby: bytes per second it can receive (0 = unlimited)
    std::vector<std::string> sync_names;
    int sync_count = 1;                 ///< FIRST n / ANY n: how many listed standbys must confirm
    bool sync_quorum = false;           ///< ANY n (quorum) instead of FIRST n
    bool sync_placeholder = false;      ///< strict mode without a candidate: commits block

    bool accepting(vtime now) const noexcept { return running && !hung && now >= ready_at; }
    /// A primary that accepts writes: the quantity S1 is about.
    bool accepts_writes(vtime now) const noexcept { return accepting(now) && !in_recovery; }
};

} // namespace pgwarden::sim
