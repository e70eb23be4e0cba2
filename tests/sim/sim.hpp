// Shared vocabulary of the level-1 simulator (STYLE.md 4): virtual time, the
// backend quirk profiles, the knobs the swarm varies, and the "brain" seam
// through which the world calls ha::decide (and through which a test injects
// a deliberately broken decision).
#pragma once
#include <pgwarden/ha/decide.hpp>

#include <cstdint>
#include <string>

namespace pgwarden::sim {

/// True virtual time in milliseconds since the start of the run. Only the
/// world knows it; nodes see it through their own skewed fake_clock.
using vtime = std::int64_t;

constexpr vtime seconds_ms(std::int64_t s) noexcept { return s * 1000; }

/// The DCS whose lease semantics the fake reproduces (dcs.md 5-8).
enum class backend { etcd3, zookeeper, consul, kubernetes };

const char* to_string(backend b) noexcept;
bool parse_backend(const std::string& text, backend& out) noexcept;

/// The result of one DCS operation, as the engine sees it.
enum class op_status {
    ok,         ///< done
    lost,       ///< logical failure: CAS lost, key exists (Patroni's `false`)
    error,      ///< outcome unknown: unreachable, timeout, reply lost
};

/** The dynamic configuration knobs the swarm varies. set_knobs() keeps them
 *  inside the validator's bounds (ha-loop.md 1.1).
 */
struct sim_config {
    std::int64_t ttl_s = 30;
    std::int64_t loop_wait_s = 10;
    std::int64_t retry_timeout_s = 10;
    std::uint64_t maximum_lag_on_failover = 1048576;
    ha::sync_mode synchronous_mode = ha::sync_mode::off;
    bool synchronous_mode_strict = false;
    bool watchdog = true;               ///< watchdog.mode automatic with a usable device
    std::int64_t watchdog_safety_margin_s = 5;
    int synchronous_node_count = 1;
    std::int64_t primary_start_timeout_s = 300;
    bool pause = false;                 ///< `pause: true` in /config (ha-loop.md 18)
    bool failsafe = false;              ///< `failsafe_mode: true` (ha-loop.md 17)
    /// `standby_cluster` pointing at the remote primary (host `remote`, ha-loop.md 12).
    bool standby = false;

    /// Raises values to their minimum, then applies the loop_wait /
    /// retry_timeout rule of ha-loop.md 1.1.
    void adjust() noexcept;
    /// Watchdog timeout: ttl - safety_margin (ha-loop.md 19).
    std::int64_t watchdog_timeout_s() const noexcept
    {
        return watchdog_safety_margin_s < 0 ? ttl_s / 2 : ttl_s - watchdog_safety_margin_s;
    }
    /// How long after the heal the cluster has to converge (STYLE.md 4):
    /// a lock expiry, a retry budget and a few loops, for each of the
    /// recovery steps a node may need (crash recovery, rewind, restart).
    std::int64_t liveness_bound_ms() const noexcept
    {
        return 4 * (ttl_s + loop_wait_s + retry_timeout_s) * 1000 + 60000;
    }
};

/** The decision maker of every node. The default calls ha::decide; tests
 *  wrap it to break one rule and check that the simulator notices.
 */
class brain {
public:
    virtual ~brain() = default;
    [[nodiscard]] virtual ha::transition decide(int node, const ha::ha_state& state,
                                                const ha::inputs& in) noexcept
    {
        (void)node;
        return ha::decide(state, in);
    }
    /// The config the brain should pass to decide (a mutant may loosen it).
    virtual void patch_config(ha::ha_config& /*config*/) const noexcept {}
    /** What the world calls: the decision written into `out`. The default goes through
     *  decide(), so a brain that overrides only decide() is used unchanged. */
    virtual void decide_into(int node, const ha::ha_state& state, const ha::inputs& in,
                             ha::transition& out) noexcept
    {
        out = decide(node, state, in);
    }
};

/** The world's own brain: ha::decide_into, which reuses the buffers of the world's
 *  transition from one cycle to the next (the same decisions as ha::decide). */
class direct_brain final : public brain {
public:
    void decide_into(int /*node*/, const ha::ha_state& state, const ha::inputs& in,
                     ha::transition& out) noexcept override
    {
        ha::decide_into(state, in, out);
    }
};

} // namespace pgwarden::sim
