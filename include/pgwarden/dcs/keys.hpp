// Key names under a cluster's base path, and the name-mapping helpers of
// ../shared/spec/dcs.md 1 and 10. Plain strings only: no JSON, no I/O.
#pragma once
#include <pgwarden/core/config.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pgwarden::dcs {

/// Relative key names (dcs.md 1.2). A backend joins them to the base path.
namespace key {
inline constexpr std::string_view initialize = "initialize";
inline constexpr std::string_view config = "config";
inline constexpr std::string_view leader = "leader";
inline constexpr std::string_view members = "members/";   ///< prefix of `members/<name>`
inline constexpr std::string_view sync = "sync";
inline constexpr std::string_view failover = "failover";
inline constexpr std::string_view history = "history";
inline constexpr std::string_view status = "status";
inline constexpr std::string_view failsafe = "failsafe";
inline constexpr std::string_view legacy_optime = "optime/leader";
} // namespace key

/** The base path of a cluster: `"/" + namespace + "/" + scope` with every run
 *  of `/` collapsed to one (dcs.md 1.1), so `/service/` and `service` agree.
 *  `base_path("/service/", "demo") == "/service/demo"`.
 *  @see Patroni AbstractDCS.__init__ (`_base_path`)
 */
[[nodiscard]] PGWARDEN_DECL std::string base_path(std::string_view namespace_name,
                                                  std::string_view scope);

/// `<base>/<relative>`: the full key of a relative name.
[[nodiscard]] PGWARDEN_DECL std::string full_key(std::string_view base, std::string_view relative);

/// `members/<name>`.
[[nodiscard]] PGWARDEN_DECL std::string member_key(std::string_view name);

/** The relative name of `full` under `base` (without the separating `/`);
 *  nullopt when `full` is not below `base`.
 *  `relative_key("/service/demo", "/service/demo/leader") == "leader"`.
 */
[[nodiscard]] PGWARDEN_DECL std::optional<std::string_view> relative_key(std::string_view base,
                                                                         std::string_view full) noexcept;

/** The member name of a relative key `members/<name>`; nullopt for any other
 *  key, for an empty name, and for names containing a further `/` (those
 *  entries are ignored by readers, dcs.md 1.2).
 */
[[nodiscard]] PGWARDEN_DECL std::optional<std::string_view> member_name_of(std::string_view relative) noexcept;

/** The replication slot name Patroni derives from a member name (dcs.md 10):
 *  lower-case; `-` and `.` become `_`; any other character outside
 *  `[a-z0-9_]` becomes `u` and its code point as (at least) 4 decimal
 *  digits; the result is cut to 63 bytes. The input is UTF-8; lower-casing
 *  covers ASCII and Latin-1 only (Python lowers all of Unicode; see
 *  docs/notes/dcs-codec.md).
 *  @see Patroni utils.slot_name_from_member_name
 */
[[nodiscard]] PGWARDEN_DECL std::string slot_name_from_member_name(std::string_view member_name);

/// True iff `name` matches `^[a-z0-9_]{1,63}$` (valid permanent slot names).
[[nodiscard]] PGWARDEN_DECL bool is_valid_slot_name(std::string_view name) noexcept;

} // namespace pgwarden::dcs

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/dcs/impl/keys.ipp>
#endif
