// Determinism fingerprint of the level-1 simulator, for performance work.
//
// Goal: prove that an optimisation of the simulator or of ha::decide leaves
// every swarm seed doing exactly the same thing. Method: run seeds 1..N
// (the swarm profile, as bench/sim_throughput does) through a brain that
// calls ha::decide unchanged and folds every decision into a 64-bit FNV-1a
// hash: the node, its clock reading, the role before and after, the status
// message, and each action's name plus the data of the actions whose
// contents the hot paths build (member keys, follow targets, sync names).
// Arguments: [seeds=2000] [first=1] [profile=swarm]. One line per seed:
// seed, verdict, decide calls, hash, first line of the detail. Diff the
// output of two builds; any change in the order or content of decisions
// changes a hash. (The event count is printed separately by sim_throughput:
// it is a cost figure, not a behaviour.)
#include "swarm.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace {

struct hasher {
    std::uint64_t h = 1469598103934665603ULL;
    void bytes(const void* p, std::size_t n) noexcept
    {
        const auto* c = static_cast<const unsigned char*>(p);
        for (std::size_t k = 0; k < n; ++k) {
            h ^= c[k];
            h *= 1099511628211ULL;
        }
    }
    void str(std::string_view s) noexcept
    {
        bytes(s.data(), s.size());
        num(s.size());
    }
    template <class T> void num(T v) noexcept
    {
        static_assert(std::is_trivially_copyable_v<T>);
        bytes(&v, sizeof v);
    }
    template <class T> void opt(const std::optional<T>& o) noexcept
    {
        num(o.has_value());
        if (!o) return;
        if constexpr (std::is_same_v<T, std::string>) str(*o);
        else if constexpr (std::is_same_v<T, pgwarden::lsn>) num(o->value);
        else num(*o);
    }
    void member(const pgwarden::dcs::member_data& d) noexcept
    {
        str(d.conn_url);
        str(d.api_url);
        str(d.state);
        str(d.role);
        str(d.version);
        opt(d.proxy_url);
        opt(d.checkpoint_after_promote);
        for (const auto& [k, v] : d.tags) {
            str(k);
            str(v);
        }
        num(d.pending_restart);
        opt(d.xlog_location);
        opt(d.replay_lsn);
        opt(d.receive_lsn);
        opt(d.replication_state);
        opt(d.timeline);
        opt(d.scheduled_restart);
        num(d.pause);
        for (const auto& [k, v] : d.extra) {
            str(k);
            str(v);
        }
    }
    void target(const pgwarden::pg::follow_target& t) noexcept
    {
        opt(t.member);
        str(t.conn_url);
        opt(t.slot_name);
        opt(t.timeline);
    }
};

class fingerprint_brain final : public pgwarden::sim::brain {
public:
    hasher h;
    // The world's path (sim::direct_brain): the decision written into reused buffers.
    void decide_into(int node, const pgwarden::ha::ha_state& state, const pgwarden::ha::inputs& in,
                     pgwarden::ha::transition& t) noexcept override
    {
        using namespace pgwarden;
        ha::decide_into(state, in, t);
        h.num(node);
        h.num(in.now.time_since_epoch().count());
        h.num(state.role);
        h.num(t.next.role);
        h.str(t.reason);
        for (const auto& a : t.actions) {
            h.str(ha::action_name(a));
            if (auto* p = std::get_if<ha::publish_member>(&a)) h.member(p->data);
            else if (auto* r = std::get_if<ha::renew_leader>(&a)) {
                h.num(r->with_status);
                h.num(r->optime.value);
                for (const auto& [k, v] : r->slots) {
                    h.str(k);
                    h.num(v.value);
                }
                for (const auto& s : r->retain_slots) h.str(s);
            } else if (auto* f = std::get_if<ha::pg_follow>(&a)) {
                h.target(f->target);
                h.num(f->restart);
            } else if (auto* s = std::get_if<ha::pg_start>(&a)) {
                h.num(s->role);
                if (s->follow) h.target(*s->follow);
            } else if (auto* y = std::get_if<ha::pg_set_sync_standbys>(&a)) {
                for (const auto& nm : y->names.names) h.str(nm);
                h.num(y->names.count);
                h.num(y->names.strict_placeholder);
            } else if (auto* w = std::get_if<ha::write_sync>(&a)) {
                h.str(w->value.leader);
                for (const auto& nm : w->value.sync_standby) h.str(nm);
                h.num(w->version);
            } else if (auto* fp = std::get_if<ha::fetch_peers>(&a)) {
                for (const auto& nm : fp->members) h.str(nm);
            }
        }
    }
};

} // namespace

int main(int argc, char** argv)
{
    using namespace pgwarden::sim;
    const std::uint64_t seeds = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 2000;
    const std::uint64_t first = argc > 2 ? std::strtoull(argv[2], nullptr, 0) : 1;
    const std::string profile = argc > 3 ? argv[3] : "swarm";
    for (std::uint64_t s = first; s < first + seeds; ++s) {
        const auto p = fault_profile::draw(s, profile, std::nullopt);
        if (!p) {
            std::fprintf(stderr, "unknown profile %s\n", profile.c_str());
            return 2;
        }
        fingerprint_brain b;
        const auto r = run_seed(s, *p, &b);
        const auto nl = r.detail.find('\n');
        std::printf("%llu %d %llu %016llx %s\n", static_cast<unsigned long long>(s), static_cast<int>(r.code),
                    static_cast<unsigned long long>(r.node_cycles), static_cast<unsigned long long>(b.h.h),
                    r.detail.substr(0, nl).c_str());
    }
    return 0;
}
