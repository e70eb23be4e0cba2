// The DCS policy (STYLE.md 2, dcs.md 4). Mirrors Patroni's AbstractDCS.
#pragma once
#include <pgwarden/core/task.hpp>
#include <pgwarden/dcs/model.hpp>

#include <chrono>
#include <concepts>
#include <string_view>

namespace pgwarden::dcs {

/** Requirements (errors: see docs/design/concepts/dcs_client.md):
 *  1. Every write that names a dcs_version is a compare-and-set: `false` means
 *     the race was lost (condition::cas_conflict is never returned for it), an
 *     error means the outcome is unknown (condition::unavailable / timeout).
 *  2. `load_cluster()` returns a snapshot whose `leader` is empty iff the key
 *     is missing or expired under this backend's rules.
 *  3. `acquire_leader` creates the leader key only if absent, bound to the
 *     node's lease/session; `renew_leader` refreshes it only if it still names
 *     us; `release_leader` deletes it only if it still names us.
 *  4. `wait_for_change(v, t)` completes within `t`, early (returning true)
 *     when the leader key changes from version `v` (v < 0: the key was
 *     absent; v == 0: plain sleep), or `config`/`status` change; a backend
 *     may wake on more (docs/notes/engine.md).
 */
template <class D>
concept client = requires(D& d, const leader_claim& claim, const member_data& me,
                          const sync_record& sync, const failover_record& fo,
                          const status_record& st, const history_record& hist,
                          const std::string& s, dcs_version v, std::chrono::milliseconds t) {
    typename D::config_type;
    { D::kind } -> std::convertible_to<std::string_view>;
    { d.load_cluster() } -> std::same_as<task<result<cluster_snapshot>>>;
    { d.try_initialize(s) } -> std::same_as<task<result<bool>>>;
    { d.set_initialize(s) } -> std::same_as<task<result<void>>>;
    { d.cancel_initialize() } -> std::same_as<task<result<void>>>;
    { d.acquire_leader(claim) } -> std::same_as<task<result<bool>>>;
    { d.renew_leader(claim, v) } -> std::same_as<task<result<bool>>>;
    { d.release_leader(v) } -> std::same_as<task<result<bool>>>;
    { d.publish_member(me) } -> std::same_as<task<result<void>>>;
    { d.write_sync(sync, v) } -> std::same_as<task<result<bool>>>;
    { d.delete_sync(v) } -> std::same_as<task<result<bool>>>;
    { d.write_failover(fo, v) } -> std::same_as<task<result<bool>>>;
    { d.write_config(s, v) } -> std::same_as<task<result<bool>>>;
    { d.write_status(st) } -> std::same_as<task<result<void>>>;
    { d.write_history(hist) } -> std::same_as<task<result<void>>>;
    { d.write_failsafe(s) } -> std::same_as<task<result<void>>>;
    { d.wait_for_change(v, t) } -> std::same_as<task<result<bool>>>;
};

} // namespace pgwarden::dcs
