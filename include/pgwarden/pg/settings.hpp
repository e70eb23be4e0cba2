// GUC values as Patroni shows them (pending_restart_reason, dcs.md 2.2):
// pure conversions from a value in a GUC's base unit (pg_settings.unit,
// e.g. "8kB") to the largest unit that represents it exactly ("16MB").
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/pg/model.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pgwarden::pg {

/** A value in `base_unit` (e.g. "2048" with "8kB") in the largest unit
 *  that represents it exactly ("16MB"); reals pick the first unit whose
 *  value is whole, printed with %g. Returns `value` unchanged when it is
 *  not a plain number (it already has a unit, or is text), is zero, or
 *  the unit is unknown. `vartype` is pg_settings.vartype.
 *  @see patroni/utils.py maybe_convert_from_base_unit
 */
PGWARDEN_DECL std::string maybe_convert_from_base_unit(std::string_view value, std::string_view vartype,
                                                        std::optional<std::string_view> base_unit);

/// Both values through maybe_convert_from_base_unit (Patroni get_param_diff).
PGWARDEN_DECL param_change make_param_change(std::string_view old_value, std::string_view new_value,
                                             std::string_view vartype, std::optional<std::string_view> unit);

} // namespace pgwarden::pg

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/pg/impl/settings.ipp>
#endif
