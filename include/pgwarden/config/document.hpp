// The untyped configuration tree. YAML files, PATRONI_CONFIGURATION and the env
// overlay are all turned into a boost::json::value (object key order = file
// order), merged with Patroni's patch_config rule, and only then converted to
// the typed model (load.hpp) or checked (validate.hpp). Keeping the raw tree
// lets the validator see exactly what was written, type mistakes included.
#pragma once
#include <pgwarden/config/error.hpp>
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/result.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace pgwarden::config {

/** Parses one YAML document the way PyYAML's safe_load does (YAML 1.1 implicit
 *  types: `on`/`yes` booleans, `0640` octal, `1e5` is a string, quoted scalars
 *  are strings; `<<` merge keys). An empty document is null.
 *  Returns error::syntax (why->path = `<source>:<line>:<column>`) on bad YAML,
 *  error::bad_value when a key is not a scalar. */
[[nodiscard]] PGWARDEN_DECL result<boost::json::value> parse_yaml(std::string_view text, std::string_view source,
                                                                  config_error* why = nullptr);

/** Patroni's patch_config: for each overlay key, null deletes; a missing key is
 *  added; two maps merge recursively; otherwise the value is replaced.
 *  Returns true when `base` changed. */
PGWARDEN_DECL bool patch_config(boost::json::object& base, const boost::json::object& overlay);

/// Python's `str()` of a value as Patroni would print it (`True`, `None`, `{'a': 1}`).
[[nodiscard]] PGWARDEN_DECL std::string python_str(const boost::json::value& v);

/** Block-style YAML like PyYAML's `yaml.safe_dump(default_flow_style=False)`:
 *  keys sorted (when `sort_keys`), 2-space indent, list items at the key's indent,
 *  strings quoted only when they would read back as something else. */
[[nodiscard]] PGWARDEN_DECL std::string to_yaml(const boost::json::value& v, bool sort_keys = true);

/// The value at a dotted path (`postgresql.authentication.superuser`), or nullptr.
[[nodiscard]] PGWARDEN_DECL const boost::json::value* find_path(const boost::json::value& root,
                                                                std::string_view dotted) noexcept;
/// Same, from an object root (no temporary value, so the pointer stays valid).
[[nodiscard]] PGWARDEN_DECL const boost::json::value* find_path(const boost::json::object& root,
                                                                std::string_view dotted) noexcept;

} // namespace pgwarden::config

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/config/impl/document.ipp>
#endif
