// Replication slot reconciliation as a pure plan (ha-loop.md 14.2): what to
// create and what to drop, given the slots present and the slots wanted.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/pg/model.hpp>

#include <optional>
#include <string>
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
    std::vector<logical_slot> logical;        ///< permanent logical slots (primary only)
    std::vector<slot_filter> ignore;          ///< never dropped
    bool paused = false;                      ///< maintenance mode: never drop
};

/// What sync_slots() does.
struct slot_changes {
    std::vector<std::string> drop;
    std::vector<std::string> create_physical;
    std::vector<logical_slot> create_logical;
};

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
