// The safety checkers: see checkers.hpp and docs/design/invariants.md.
#include "checkers.hpp"

#include <utility>

namespace pgwarden::sim {

void checker::add(std::string code, vtime at, std::string text)
{
    if (violations_.size() < 16) violations_.push_back(violation{std::move(code), at, std::move(text)});
}

void checker::writers(vtime now, const std::vector<int>& accepting)
{
    if (accepting.size() < 2) {
        overlap_since_.reset();
        overlap_reported_ = false;
        return;
    }
    if (!overlap_since_) overlap_since_ = now;
    if (!overlap_reported_ && now - *overlap_since_ >= s1_allowance_ms_) {
        overlap_reported_ = true;
        std::string who;
        for (int i : accepting) who += " node" + std::to_string(i + 1);
        add("S1", now, "two primaries accept writes:" + who);
    }
}

void checker::promoted(const promotion_fact& p)
{
    if (p.holder != p.node)
        add("S2", p.at, p.name + " promoted without holding the leader key (holder: " +
                            (p.holder < 0 ? std::string("none") : "node" + std::to_string(p.holder + 1)) + ")");
    if (p.new_timeline <= highest_tli_ && !p.chosen)
        add("S3", p.at, p.name + " promoted to timeline " + std::to_string(p.new_timeline) +
                            " but timeline " + std::to_string(highest_tli_) + " exists");
    // A chosen candidate behind the cluster timeline gets a number that may already exist
    // (PostgreSQL only knows the history files it has); the numbering continues from there,
    // so later promotions on that lineage are judged against it (docs/notes/sim.md).
    if (p.new_timeline > highest_tli_ || p.chosen) highest_tli_ = p.new_timeline;
    if (p.strict && !p.has_acknowledged && !p.forced)
        add("S4", p.at, p.name + " promoted without an acknowledged commit (synchronous_mode_strict)");
    if (!p.manual && p.leader_optime && *p.leader_optime > p.position &&
        *p.leader_optime - p.position > p.maximum_lag)
        add("S5", p.at, p.name + " promoted " + std::to_string(*p.leader_optime - p.position) +
                            " bytes behind (maximum_lag_on_failover " + std::to_string(p.maximum_lag) + ")");
}

void checker::started_primary(int node, const std::string& name, vtime at, int holder)
{
    if (holder != node) add("S2", at, name + " started as primary without holding the leader key");
}

void checker::primary_in_standby_cluster(const std::string& name, vtime at)
{
    add("S2", at, name + " runs as a primary inside a standby cluster");
}

} // namespace pgwarden::sim
