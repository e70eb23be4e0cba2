// Replication slot reconciliation as a pure plan (ha-loop.md 14.2): what to
// create and what to drop, given the slots present and the slots wanted.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/pg/model.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::pg {

/// A permanent logical slot wanted on the primary.
struct logical_slot {
    std::string name, plugin, database;
};

/// An `ignore_slots` entry: every field given must match.
struct slot_filter {
    std::optional<std::string> name, type, database, plugin;
};

/// The slots a node should have.
struct slot_plan {
    std::vector<std::string> physical;        ///< member and permanent physical slots
    /** Permanent logical slots: created on a primary; on a replica (PG >= 11)
     *  kept, advanced to `targets` and copied from `primary` (ha-loop.md 14.2
     *  steps 6-7). A replica plan without them drops every logical slot.
     */
    std::vector<logical_slot> logical;
    std::vector<slot_filter> ignore;          ///< never dropped
    bool paused = false;                      ///< maintenance mode: never drop

    // ---- replicas only (all optional: absent => no logical slot work) -----
    /// The leader's `/status` `slots`: slot name -> LSN (logical: confirmed_flush_lsn).
    std::map<std::string, lsn> targets;
    /** The leader to copy missing logical slots from and to check their
     *  readiness on (rewind credentials, as Patroni). Absent => no copying
     *  and no readiness check; advancing still happens.
     */
    std::optional<follow_target> primary;
    /// This node's physical slot on the primary; empty => slot name of our member name.
    std::string slot_on_primary;
    /** hot_standby_feedback forced on (ha-loop.md 14.2 step 7). Absent =>
     *  on when `logical` is non-empty; the daemon sets it to also cover a
     *  node that cascades to members with permanent logical slots.
     */
    std::optional<bool> enforce_hot_standby_feedback;
};

/// What sync_slots() does.
struct slot_changes {
    std::vector<std::string> drop;
    std::vector<std::string> create_physical;
    std::vector<logical_slot> create_logical;
    /// Replica: logical slots advanced with pg_replication_slot_advance.
    std::vector<std::string> advanced;
    /// Replica: logical slots to copy from the primary (copied when plan.primary is set).
    std::vector<std::string> copy_logical;
    /// Replica: of those, the ones copied (PostgreSQL was restarted).
    std::vector<std::string> copied;
};

/// A logical slot a replica moves forward to `target` (min of the leader's LSN and local replay).
struct logical_advance {
    std::string name, database;
    lsn target;
};

/// What a replica does with its permanent logical slots this cycle.
struct replica_logical_plan {
    std::vector<logical_advance> advance;
    std::vector<std::string> copy;            ///< missing locally, with a target LSN
};

/** Patroni SlotsHandler._ensure_logical_slots_replica: existing matching
 *  logical slots with a target are advanced to min(target, replay_lsn)
 *  when their confirmed_flush_lsn is behind; wanted ones missing locally
 *  but having a target are copied. A slot with the name but another
 *  type/plugin/database is neither (plan_slot_changes drops it first).
 */
PGWARDEN_DECL replica_logical_plan plan_replica_logical_slots(const std::vector<slot_info>& present,
                                                              const slot_plan& plan, lsn replay_lsn);

/** Logical slots copied to (or found on) a replica and not yet known to be
 *  safe after a failover: name -> catalog_xmin of the slot on the primary
 *  (nullopt until read).
 */
using logical_readiness_queue = std::map<std::string, std::optional<std::uint64_t>>;

/** Patroni SlotsHandler._ready_logical_slots: removes and returns the slots
 *  that are safe to use after a promotion, i.e. whose local slot vanished, or
 *  for which the catalog_xmin of this replica's physical slot on the primary
 *  is known and lies between the primary logical slot's catalog_xmin and the
 *  local slot's. Entries whose primary value is unknown stay queued.
 */
PGWARDEN_DECL std::vector<std::string> ready_logical_slots(logical_readiness_queue& queue,
                                                           const std::vector<slot_info>& present,
                                                           std::optional<std::uint64_t> physical_catalog_xmin);

/// The bytes of a bytea in PostgreSQL's hex output format (`\x0a1b…`); nullopt if malformed.
PGWARDEN_DECL std::optional<std::string> decode_bytea_hex(std::string_view text);

/// True when `s` matches an ignore_slots entry.
PGWARDEN_DECL bool is_ignored_slot(const slot_info& s, const std::vector<slot_filter>& ignore) noexcept;

/** Drops slots that are not wanted, physical ones whose WAL is `lost` and
 *  ones whose type/plugin/database changed (never ignored ones, nothing
 *  while paused); creates the missing ones. Active slots are listed for
 *  drop too: the caller skips them with a warning and retries later.
 */
PGWARDEN_DECL slot_changes plan_slot_changes(const std::vector<slot_info>& present, const slot_plan& plan);

} // namespace pgwarden::pg

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/pg/impl/slots.ipp>
#endif
