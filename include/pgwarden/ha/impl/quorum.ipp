// The quorum-commit state machine (ha-loop.md 13.9; Patroni: quorum.QuorumStateResolver).
// Pure: from the /sync key, the GUC and the replication view it computes the
// ordered, invariant-preserving transitions towards sync = voters = active.
#pragma once
#include <pgwarden/ha/detail/cycle.hpp>

#include <functional>

namespace pgwarden::ha::detail {

/// Case-insensitive name sets (Patroni: CaseInsensitiveSet) as small vectors.
using name_set = std::vector<std::string>;

inline bool has(const name_set& s, std::string_view n) noexcept { return contains_ci(s, n); }
inline name_set set_of(name_set v)
{
    name_set out;
    for (auto& n : v)
        if (!has(out, n)) out.push_back(std::move(n));
    return out;
}
inline name_set set_union(const name_set& a, const name_set& b)
{
    name_set out = a;
    for (const auto& n : b)
        if (!has(out, n)) out.push_back(n);
    return out;
}
inline name_set set_minus(const name_set& a, const name_set& b)
{
    name_set out;
    for (const auto& n : a)
        if (!has(b, n)) out.push_back(n);
    return out;
}
inline name_set set_inter(const name_set& a, const name_set& b)
{
    name_set out;
    for (const auto& n : a)
        if (has(b, n)) out.push_back(n);
    return out;
}
inline bool is_subset(const name_set& a, const name_set& b) { return set_minus(a, b).empty(); }
inline bool set_eq(const name_set& a, const name_set& b) { return is_subset(a, b) && is_subset(b, a); }
inline bool strict_subset(const name_set& a, const name_set& b) { return is_subset(a, b) && !set_eq(a, b); }
inline std::int64_t ssize(const name_set& s) noexcept { return static_cast<std::int64_t>(s.size()); }

/// One emitted step: `quorum` = write /sync, `sync` = set the GUC, `restart` = wait and re-evaluate.
struct quorum_step {
    enum kind_t { quorum, sync, restart } kind;
    std::string leader;
    std::int64_t num = 0;
    name_set names;
};

/** Patroni: QuorumStateResolver. A violated invariant outside the failover
 *  step makes Patroni's iteration raise before yielding anything: `failed`. */
class quorum_resolver {
public:
    std::string leader;
    std::int64_t quorum = 0;
    name_set voters;
    std::int64_t numsync = 0;
    name_set sync;
    std::int64_t numsync_confirmed = 0;
    name_set active;
    std::int64_t sync_wanted = 1;
    std::string leader_wanted;
    bool failed = false;

    /// The collapsed transitions (Patroni: __iter__), or nullopt on a QuorumError.
    std::optional<std::vector<quorum_step>> resolve()
    {
        numsync = std::min(numsync, ssize(sync));
        generate();
        if (failed) return std::nullopt;
        std::vector<quorum_step> out;
        for (std::size_t i = 0; i < steps_.size(); ++i) {
            if (i + 1 < steps_.size() && steps_[i + 1].kind == steps_[i].kind) continue;
            out.push_back(steps_[i]);
            if (steps_[i].kind == quorum_step::restart) break;
        }
        return out;
    }

private:
    std::vector<quorum_step> steps_;

    bool invariants_hold() const
    {
        const name_set v = set_union(voters, {leader});
        const name_set s = set_union(sync, {leader_wanted});
        if (!voters.empty() && !(ssize(set_union(v, s)) <= quorum + numsync + 1)) return false;
        return is_subset(v, s) || is_subset(s, v);
    }

    void quorum_update(std::int64_t q, name_set v, std::optional<std::string> new_leader = {}, bool adjust = true)
    {
        if (failed) return;
        if (q < 0 || (q > 0 && q >= ssize(v))) {
            failed = true;
            return;
        }
        const std::string old_leader = leader;
        if (new_leader) leader = *new_leader;
        else if (numsync_confirmed == 0 && voters.empty()) q = 0, v.clear();
        else if (adjust) q += std::max<std::int64_t>(numsync - numsync_confirmed, 0);
        if (leader == old_leader && q == quorum && set_eq(v, voters)) {
            if (!voters.empty()) return;
            steps_.push_back({quorum_step::restart, leader, quorum, voters});
        }
        quorum = q;
        voters = std::move(v);
        if (!invariants_hold()) {
            failed = true;
            return;
        }
        steps_.push_back({quorum_step::quorum, leader, quorum, voters});
    }

    void sync_update(std::int64_t n, name_set s)
    {
        if (failed) return;
        if (n < 0 || n > ssize(s)) {
            failed = true;
            return;
        }
        numsync = n;
        sync = std::move(s);
        if (!invariants_hold()) {
            failed = true;
            return;
        }
        steps_.push_back({quorum_step::sync, leader, numsync, sync});
    }

    void leader_change()
    {
        const name_set v = set_union(set_minus(voters, {leader_wanted}), {leader});
        if (sync.empty()) sync_update(ssize(v) - quorum, v);
        quorum_update(quorum, v, leader_wanted);
    }

    void generate()
    {
        bool stop = false;
        if (leader_wanted != leader) {
            leader_change();
            stop = !failed && set_inter(sync, active).empty();
        } else if (!invariants_hold()) {
            failed = true;
        }
        if (failed) {   // Patroni: except QuorumError -> reset voters to sync
            failed = false;
            quorum_update(ssize(sync) - numsync, sync);
        }
        if (stop || failed) return;
        if (numsync_confirmed == 0 && !set_inter(sync, active).empty())
            numsync_confirmed = std::min(ssize(set_inter(sync, active)), ssize(voters) - quorum);
        non_steady();
        remove_gone();
        add_new();
        factor_change();
    }

    void non_steady()
    {
        if (strict_subset(sync, voters)) {
            const name_set r = set_minus(voters, set_union(sync, active));
            if (!r.empty())
                quorum_update(ssize(voters) - ssize(r) - numsync, set_minus(voters, r), {},
                              set_minus(sync, active).empty());
            const name_set a = set_minus(set_inter(voters, active), sync);
            if (!a.empty()) sync_update(numsync, set_union(sync, a));
        } else if (strict_subset(voters, sync)) {
            name_set r = set_minus(sync, active);
            const name_set s2 = set_minus(sync, r);
            if (!r.empty() && !s2.empty() && (voters.empty() || !set_inter(s2, voters).empty()))
                sync_update(std::min(numsync, ssize(sync) - ssize(r)), s2);
            const name_set a = set_inter(set_minus(sync, voters), active);
            if (!a.empty()) quorum_update(ssize(set_union(voters, a)) - numsync, set_union(voters, a));
            r = set_minus(sync, voters);
            if (!r.empty()) sync_update(std::min(numsync, ssize(sync) - ssize(r)), set_minus(sync, r));
        }
        if (failed) return;
        if (!set_eq(voters, sync)) {   // Patroni: assert self.voters == self.sync
            failed = true;
            return;
        }
        const std::int64_t margin = quorum + std::min(numsync, numsync_confirmed) - ssize(set_union(voters, sync));
        if (margin > 0) {
            if (numsync > sync_wanted) sync_update(std::max(sync_wanted, ssize(voters) - quorum), sync);
            else quorum_update(ssize(sync) - numsync, voters);
        } else if (numsync == sync_wanted && quorum + numsync - ssize(set_union(voters, sync)) > 0 &&
                   numsync > numsync_confirmed) {
            quorum_update(ssize(sync) - numsync, voters);
        }
    }

    void remove_gone()
    {
        name_set g = set_minus(sync, active);
        if (failed || g.empty()) return;
        if (set_eq(sync, g)) {
            quorum_update(0, {}, {}, false);
            sync_update(0, {});
            return;
        }
        if (quorum > 0) {
            name_set sorted = g;
            std::sort(sorted.begin(), sorted.end(), std::greater<>());
            sorted.resize(static_cast<std::size_t>(std::min(quorum, ssize(sorted))));
            const name_set s2 = set_minus(sync, sorted);
            sync_update(std::min(sync_wanted > numsync ? sync_wanted : numsync, ssize(s2)), s2);
            const name_set v2 = set_minus(voters, sorted);
            g = set_inter(g, sync);
            quorum_update(ssize(v2) - numsync, v2, {}, g.empty());
        }
        if (!g.empty() && !failed && quorum != 0) failed = true;   // Patroni: assert self.quorum == 0
        if (!g.empty() && !failed) {
            const std::int64_t n = numsync - ssize(g);
            const name_set s2 = set_minus(sync, g), v2 = set_minus(voters, g);
            const std::int64_t d = n - std::min(sync_wanted, ssize(s2));
            quorum_update(d != 0 ? std::min(d, ssize(v2) - 1) : 0, v2, {}, false);
            sync_update(n, s2);
        }
    }

    void add_new()
    {
        name_set t = set_minus(active, sync);
        if (failed || t.empty()) return;
        const std::int64_t wanted = std::min(sync_wanted, ssize(set_union(sync, t)));
        std::int64_t inc = wanted - numsync;
        if (inc > 0) {
            name_set add = t;
            if (!sync.empty()) {
                std::sort(add.begin(), add.end());
                add.resize(static_cast<std::size_t>(std::min(inc, ssize(add))));
                inc = ssize(add);
            }
            sync_update(numsync + inc, set_union(sync, add));
            const name_set v = set_union(voters, add);
            quorum_update(ssize(v) - wanted, v);
            t = set_minus(t, sync);
        }
        if (!t.empty() && !failed) {
            const name_set v = set_union(voters, t);
            quorum_update(ssize(v) - wanted, v, {}, wanted > numsync_confirmed);
            sync_update(wanted, set_union(sync, t));
        }
    }

    void factor_change()
    {
        if (failed) return;
        const std::int64_t inc = std::min(sync_wanted, ssize(sync)) - numsync;
        if (inc > 0) {
            sync_update(numsync + inc, sync);
            quorum_update(ssize(voters) - numsync, voters);
        } else if (inc < 0) {
            if (quorum - inc < ssize(voters))
                quorum_update(ssize(voters) - numsync - inc, voters, {}, sync_wanted > numsync_confirmed);
            sync_update(numsync + inc, sync);
        }
    }
};

} // namespace pgwarden::ha::detail
