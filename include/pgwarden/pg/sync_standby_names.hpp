// synchronous_standby_names: formatting (ha-loop.md 13.2) and parsing
// (ha-loop.md 13.3) with Patroni 4.1's quoting and strict placeholder.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/result.hpp>
#include <pgwarden/pg/model.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::pg {

/// The name Patroni 4.x writes when strict mode has no candidate (3.0.2 wrote `*`).
inline constexpr std::string_view strict_sync_placeholder =
    "__patroni_strict_sync_replica_placeholder__";

/** Quotes a standby name as an SQL identifier (`"…"`, embedded `"` doubled)
 *  unless it matches `^[A-Za-z_][A-Za-z_0-9$]*$` and is not `first`/`any`
 *  (case-insensitive). Patroni 4.1 `quote_standby_name`.
 */
PGWARDEN_DECL std::string quote_standby_name(std::string_view name);

/** The value Patroni 4.1 assigns to synchronous_standby_names for `n`.
 *
 *  Returns the empty string when the parameter must be removed from
 *  postgresql.conf (no names and no strict placeholder). `server_version`
 *  is PostgreSQL's numeric version (150004); below 90600 only one name is
 *  written and below 100000 `ANY` is not used. `n.count <= 0` means "as
 *  many as there are names". Examples: `node2`, `2 (node2,node3)`,
 *  `ANY 1 (node2,node3)`, `"node-2"`,
 *  `ANY 1 (__patroni_strict_sync_replica_placeholder__)`.
 *  @see patroni/postgresql/sync.py SyncHandler.set_synchronous_standby_names
 */
PGWARDEN_DECL std::string format_sync_standby_names(const sync_names& n, int server_version);

/// synchronous_standby_names after parsing (Patroni's `_SSN`).
struct parsed_sync_standby_names {
    enum class kind { off, priority, quorum };
    kind type = kind::off;
    bool has_star = false;
    int num = 0;
    /// Unquoted names in their order of appearance, duplicates
    /// (case-insensitive) removed; the lone strict placeholder is dropped.
    std::vector<std::string> members;
};

/** Parses synchronous_standby_names as Patroni does: `ANY n (…)` is quorum,
 *  `FIRST n (…)`, `n (…)` and a plain list are priority (a plain list has
 *  n = 1). Accepts 3.0.2's all-quoted form and `*`.
 *  Returns error::bad_output when the value is unparsable (Patroni then
 *  treats sync replication as off).
 */
[[nodiscard]] PGWARDEN_DECL result<parsed_sync_standby_names>
parse_sync_standby_names(std::string_view value);

} // namespace pgwarden::pg

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/pg/impl/sync_standby_names.ipp>
#endif
