// Output formatting of pgwardenctl (../shared/spec/ctl.md 4): the
// prettytable-style grid with patronictl's title line, the member table
// built from cluster_as_json (rest-api.md 6.3), the history table, and the
// json / yaml / tsv renderings. Pure functions of their inputs: no I/O, no
// clock, so the unit tests (tests/unit/ctl) can pin the exact text.
#pragma once
#include <boost/json/fwd.hpp>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::ctl {

/// The output formats of `-f/--format` (ctl.md 4.1); `yml` is read as yaml.
enum class output_format { pretty, tsv, json, yaml, topology };

/// Parses a `--format` value; nullopt for an unknown one.
[[nodiscard]] std::optional<output_format> parse_format(std::string_view text) noexcept;

/** A prettytable grid as patronictl prints it: left-aligned cells except the
 *  columns in `right`, one space of padding, frame rules only unless a cell
 *  holds a newline (then a rule after every row). A non-empty `title`
 *  overwrites the top border from its second character (ctl.md 4.2). The
 *  text has no trailing newline. */
[[nodiscard]] std::string render_grid(const std::vector<std::string>& columns,
                                      const std::vector<std::vector<std::string>>& rows,
                                      const std::set<std::string>& right, std::string_view title = {});

/// Python's `json.dumps(v)` (separators ", " / ": ", ASCII escapes).
[[nodiscard]] std::string python_json(const boost::json::value& v);

/// PyYAML `safe_dump(v, default_flow_style=True)` of a mapping or scalar,
/// without the trailing newline: `{a: 1, b: true}` (keys sorted).
[[nodiscard]] std::string yaml_flow(const boost::json::value& v);

/// Python's `str()` of a cell value.
[[nodiscard]] std::string cell_str(const boost::json::value& v);

/** The member table of `list` / `topology` (ctl.md 4.3), from the
 *  cluster_as_json document `cluster` (members, pause,
 *  scheduled_switchover). `initialize` is the DCS `initialize` value
 *  (nullopt: absent). Returns the whole output including the footer lines
 *  and a final newline (as click.echo prints it). */
[[nodiscard]] std::string format_members(const boost::json::object& cluster, std::string_view name,
                                         const std::optional<std::string>& initialize, bool extended,
                                         output_format fmt);

/** The `history` output (ctl.md 6.7) from the DCS `history` key's JSON
 *  array (nullptr / not an array: no rows), with a final newline. */
[[nodiscard]] std::string format_history(const boost::json::value* history, output_format fmt);

/** `query` output (ctl.md 6.4): print_output without a title; `columns`
 *  empty means no header row (Python's None). */
[[nodiscard]] std::string format_rows(const std::vector<std::string>& columns,
                                      std::vector<std::vector<boost::json::value>> rows, output_format fmt,
                                      std::string_view delimiter);

// ---------------------------------------------------------------- edit-config

/** Python difflib.unified_diff of two YAML texts as patronictl's show_diff
 *  prints it (ctl.md 6.5 step 8): `--- ` / `+++ ` headers without file
 *  names, hunks with 3 lines of context, each line without its newline.
 *  Empty when the texts are equal. The matching is a longest common
 *  subsequence, which equals difflib's for the usual small edits. */
[[nodiscard]] std::vector<std::string> unified_diff(const std::string& before, const std::string& after);

/** edit-config `--set` (ctl.md 6.5 step 5): sets the dot-path `key` to
 *  `value` (null removes it), creating maps on the way and removing maps
 *  left empty; below `postgresql.parameters` the rest of the path is one
 *  GUC name. */
void set_path_value(boost::json::object& config, const std::string& key, const boost::json::value& value);

} // namespace pgwarden::ctl
