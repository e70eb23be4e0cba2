// Output formatting of pgwardenctl; see format.hpp.
#include "format.hpp"

#include <pgwarden/config/document.hpp>
#include <pgwarden/dcs/codec.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <regex>
#include <sstream>

namespace pgwarden::ctl {

namespace json = boost::json;

std::optional<output_format> parse_format(std::string_view text) noexcept
{
    if (text == "pretty") return output_format::pretty;
    if (text == "tsv") return output_format::tsv;
    if (text == "json") return output_format::json;
    if (text == "yaml" || text == "yml") return output_format::yaml;
    if (text == "topology") return output_format::topology;
    return std::nullopt;
}

namespace {

std::vector<std::string> split_lines(const std::string& s)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        auto nl = s.find('\n', start);
        out.push_back(s.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    return out;
}

std::string strip(std::string s)
{
    auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; };
    while (!s.empty() && is_space(s.back())) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && is_space(s[i])) ++i;
    return s.substr(i);
}

/// Python's str.title() for ASCII.
std::string title_case(std::string s)
{
    bool prev_letter = false;
    for (auto& c : s) {
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (letter) c = static_cast<char>(prev_letter ? std::tolower(static_cast<unsigned char>(c))
                                                      : std::toupper(static_cast<unsigned char>(c)));
        prev_letter = letter;
    }
    return s;
}

bool truthy(const json::value* v)
{
    if (!v) return false;
    switch (v->kind()) {
    case json::kind::null: return false;
    case json::kind::bool_: return v->get_bool();
    case json::kind::int64: return v->get_int64() != 0;
    case json::kind::uint64: return v->get_uint64() != 0;
    case json::kind::double_: return v->get_double() != 0.0;
    case json::kind::string: return !v->get_string().empty();
    case json::kind::array: return !v->get_array().empty();
    case json::kind::object: return !v->get_object().empty();
    }
    return false;
}

const json::value* get(const json::object& o, std::string_view key)
{
    auto it = o.find(key);
    return it == o.end() ? nullptr : &it->value();
}

std::string get_str(const json::object& o, std::string_view key)
{
    const auto* v = get(o, key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string{};
}

void put_json_string(std::string& out, std::string_view s)
{
    out += dcs::to_patroni_json(json::value(json::string_view(s.data(), s.size())));
}

void python_json_into(std::string& out, const json::value& v)
{
    switch (v.kind()) {
    case json::kind::object: {
        out.push_back('{');
        bool first = true;
        for (const auto& kv : v.get_object()) {
            if (!first) out += ", ";
            first = false;
            put_json_string(out, kv.key());
            out += ": ";
            python_json_into(out, kv.value());
        }
        out.push_back('}');
        break;
    }
    case json::kind::array: {
        out.push_back('[');
        bool first = true;
        for (const auto& e : v.get_array()) {
            if (!first) out += ", ";
            first = false;
            python_json_into(out, e);
        }
        out.push_back(']');
        break;
    }
    default: out += dcs::to_patroni_json(v);
    }
}

/// PyYAML block style of a tag map: `key: value` lines, keys sorted; values
/// that are maps or lists fall back to the config module's emitter.
std::string yaml_block(const json::value& v)
{
    if (!v.is_object()) return yaml_flow(v);
    std::vector<std::pair<std::string, const json::value*>> items;
    for (const auto& kv : v.get_object()) items.emplace_back(std::string(kv.key()), &kv.value());
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out;
    for (const auto& [k, val] : items) {
        if (val->is_object() || val->is_array()) return config::to_yaml(v);
        out += yaml_flow(json::value(json::string(k))) + ": " + yaml_flow(*val) + "\n";
    }
    return out;
}

/// PyYAML block style of a list of flat rows (json/yaml output of list and
/// history): `- Key: value`, keys sorted, a nested map indented under its
/// key. Anything deeper, or a multi-line string, goes to the config module's
/// emitter.
std::string yaml_rows(const json::array& elements)
{
    auto plain = [](const json::value& v) {
        return !v.is_object() && !v.is_array() && !(v.is_string() && v.get_string().find('\n') != json::string::npos);
    };
    std::string out;
    if (elements.empty()) return "[]\n";
    for (const auto& e : elements) {
        std::vector<std::pair<std::string, const json::value*>> items;
        for (const auto& kv : e.get_object()) items.emplace_back(std::string(kv.key()), &kv.value());
        std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        if (items.empty()) {
            out += "- {}\n";
            continue;
        }
        bool first = true;
        for (const auto& [k, val] : items) {
            out += first ? "- " : "  ";
            first = false;
            out += yaml_flow(json::value(json::string(k))) + ":";
            if (plain(*val)) {
                out += " " + yaml_flow(*val) + "\n";
            } else if (val->is_object() && val->get_object().empty()) {
                out += " {}\n";
            } else if (val->is_object()) {
                out += "\n";
                for (const auto& line : split_lines(strip(yaml_block(*val)))) {
                    if (line.size() > 0 && line.find('\n') == std::string::npos) out += "    " + line + "\n";
                }
                for (const auto& kv : val->get_object())
                    if (!plain(kv.value())) return config::to_yaml(elements);
            } else {
                return config::to_yaml(elements);
            }
        }
    }
    return out;
}

/// One cell of a row: a JSON value, kept typed for json / yaml output.
using row = std::vector<json::value>;

/// Patroni's print_output (ctl.py): `header` non-empty marks a titled
/// (cluster) listing.
std::string print_output(std::vector<std::string> columns, std::vector<row> rows,
                         const std::set<std::string>& right, output_format fmt, const std::string& header,
                         std::string_view delimiter = "\t")
{
    std::string out;
    if (fmt == output_format::json || fmt == output_format::yaml) {
        json::array elements;
        for (const auto& r : rows) {
            json::object e;
            for (std::size_t i = 0; i < columns.size() && i < r.size(); ++i) {
                if (!header.empty() && cell_str(r[i]).empty()) continue;
                e[columns[i]] = r[i];
            }
            elements.emplace_back(std::move(e));
        }
        if (fmt == output_format::json) out = python_json(elements) + "\n";
        else out = yaml_rows(elements) + "\n";
        return out;
    }
    const bool list_cluster = !header.empty() && !columns.empty() && columns[0] == "Cluster";
    if (list_cluster) {
        auto it = std::find(columns.begin(), columns.end(), "Tags");
        if (it != columns.end()) {
            const auto i = static_cast<std::size_t>(it - columns.begin());
            for (auto& r : rows) {
                if (!truthy(&r[i])) continue;
                r[i] = json::string(strip(fmt == output_format::pretty ? yaml_block(r[i]) : yaml_flow(r[i])));
            }
        }
    }
    if (list_cluster && fmt != output_format::tsv) {
        const std::size_t skip = header.find(" (group: ") != std::string::npos ? 2 : 1;
        columns.erase(columns.begin(), columns.begin() + static_cast<std::ptrdiff_t>(std::min(skip, columns.size())));
        for (auto& r : rows) r.erase(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(std::min(skip, r.size())));
        for (auto& c : columns)
            if (c == "Receive Lag" || c == "Replay Lag") c = "Lag";
    }
    std::vector<std::vector<std::string>> text;
    for (const auto& r : rows) {
        std::vector<std::string> t;
        for (const auto& c : r) t.push_back(cell_str(c));
        text.push_back(std::move(t));
    }
    if (fmt == output_format::tsv) {
        auto line = [&](const std::vector<std::string>& cells) {
            for (std::size_t i = 0; i < cells.size(); ++i) {
                if (i) out += delimiter;
                out += cells[i];
            }
            out.push_back('\n');
        };
        if (!columns.empty()) line(columns);
        for (const auto& t : text) line(t);
        return out;
    }
    return render_grid(columns, text, right, header) + "\n";
}

/// Patroni's topology_sort: depth-first from the leader, a member's parent
/// being its `replicatefrom` tag when that names another non-leader.
std::vector<json::object> topology_sort(const json::array& members)
{
    auto role_of = [](const json::object& m) { return get_str(m, "role"); };
    auto is_leader = [&](const json::object& m) {
        const auto r = role_of(m);
        return r.size() >= 6 && r.compare(r.size() - 6, 6, "leader") == 0;
    };
    const json::object* leader = nullptr;
    std::set<std::string> replicas;
    for (const auto& v : members) {
        if (!v.is_object()) continue;
        const auto& m = v.get_object();
        if (is_leader(m)) {
            if (!leader) leader = &m;
        } else replicas.insert(get_str(m, "name"));
    }
    std::map<std::string, std::vector<const json::object*>> children;
    const std::string leader_name = leader ? get_str(*leader, "name") : std::string{};
    for (const auto& v : members) {
        if (!v.is_object() || is_leader(v.get_object())) continue;
        const auto& m = v.get_object();
        std::string parent;
        if (const auto* tags = get(m, "tags"); tags && tags->is_object()) parent = get_str(tags->get_object(), "replicatefrom");
        if (parent.empty() || parent == get_str(m, "name") || !replicas.count(parent)) parent = leader_name;
        children[parent].push_back(&m);
    }
    std::vector<json::object> out;
    if (!leader) return out;
    auto walk = [&](auto& self, const json::object& m, int level) -> void {
        json::object copy = m;
        const std::string name = get_str(m, "name");
        if (level > 0) copy["name"] = std::string(static_cast<std::size_t>(2 * (level - 1)), ' ') + "+ " + name;
        out.push_back(std::move(copy));
        if (auto it = children.find(name); it != children.end())
            for (const auto* c : it->second) self(self, *c, level + 1);
    };
    walk(walk, *leader, 0);
    return out;
}

json::value lag_mb(const json::value* lag)
{
    if (!lag) return json::string();
    double bytes = 0;
    if (lag->is_int64()) bytes = static_cast<double>(lag->get_int64());
    else if (lag->is_uint64()) bytes = static_cast<double>(lag->get_uint64());
    else return json::string();
    return static_cast<std::int64_t>(std::nearbyint(bytes / 1024.0 / 1024.0));   // half-even, as round()
}

} // namespace

std::string cell_str(const json::value& v)
{
    if (v.is_string()) return std::string(v.get_string());
    return config::python_str(v);
}

std::string python_json(const json::value& v)
{
    std::string out;
    python_json_into(out, v);
    return out;
}

std::string yaml_flow(const json::value& v)
{
    if (v.is_object()) {
        std::vector<std::pair<std::string, const json::value*>> items;
        for (const auto& kv : v.get_object()) items.emplace_back(std::string(kv.key()), &kv.value());
        std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        std::string out = "{";
        bool first = true;
        for (const auto& [k, val] : items) {
            if (!first) out += ", ";
            first = false;
            out += yaml_flow(json::value(json::string(k)));
            out += ": ";
            out += yaml_flow(*val);
        }
        return out + "}";
    }
    if (v.is_array()) {
        std::string out = "[";
        bool first = true;
        for (const auto& e : v.get_array()) {
            if (!first) out += ", ";
            first = false;
            out += yaml_flow(e);
        }
        return out + "]";
    }
    if (v.is_double()) return dcs::to_patroni_json(v);   // Python's float repr, as PyYAML for ordinary values
    // PyYAML quotes a string that would read back as a YAML 1.1 timestamp.
    static const std::regex timestamp(
        "^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
        "(?:\\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$");
    if (v.is_string() && std::regex_match(std::string(v.get_string()), timestamp)) {
        std::string out = "'";
        for (char ch : v.get_string()) out += ch == '\'' ? std::string("''") : std::string(1, ch);
        return out + "'";
    }
    // A scalar: PyYAML writes `x\n...\n` for a top-level plain scalar; keep the first line.
    std::string s = config::to_yaml(v);
    auto nl = s.find('\n');
    if (nl != std::string::npos) s.resize(nl);
    return s;
}

std::string render_grid(const std::vector<std::string>& columns, const std::vector<std::vector<std::string>>& rows,
                        const std::set<std::string>& right, std::string_view title)
{
    const std::size_t n = columns.size();
    std::vector<std::size_t> width(n, 0);
    bool any_newline = false;
    std::vector<std::vector<std::vector<std::string>>> cells;   // row -> column -> lines
    for (std::size_t i = 0; i < n; ++i)
        for (const auto& l : split_lines(columns[i])) width[i] = std::max(width[i], l.size());
    for (const auto& r : rows) {
        std::vector<std::vector<std::string>> rc;
        for (std::size_t i = 0; i < n; ++i) {
            const std::string& s = i < r.size() ? r[i] : std::string{};
            if (s.find('\n') != std::string::npos) any_newline = true;
            auto lines = split_lines(s);
            for (const auto& l : lines) width[i] = std::max(width[i], l.size());
            rc.push_back(std::move(lines));
        }
        cells.push_back(std::move(rc));
    }
    std::string rule = "+";
    for (std::size_t i = 0; i < n; ++i) rule += std::string(width[i] + 2, '-') + "+";
    auto emit = [&](std::string& out, const std::vector<std::vector<std::string>>& rc) {
        std::size_t height = 1;
        for (const auto& c : rc) height = std::max(height, c.size());
        for (std::size_t h = 0; h < height; ++h) {
            out += "|";
            for (std::size_t i = 0; i < n; ++i) {
                const std::string text = h < rc[i].size() ? rc[i][h] : std::string{};
                const std::string pad(width[i] - text.size(), ' ');
                out += " ";
                out += right.count(columns[i]) ? pad + text : text + pad;
                out += " |";
            }
            out += "\n";
        }
    };
    std::string top = rule;
    if (!title.empty() && top.size() >= 2) {
        const std::string t(title.substr(0, std::min(title.size(), top.size() - 2)));
        top = top.substr(0, 1) + t + top.substr(1 + t.size());
    }
    std::string out = top + "\n";
    std::vector<std::vector<std::string>> header;
    for (const auto& c : columns) header.push_back(split_lines(c));
    emit(out, header);
    out += rule + "\n";
    for (const auto& rc : cells) {
        emit(out, rc);
        if (any_newline) out += rule + "\n";
    }
    if (!any_newline || cells.empty()) out += rule + "\n";
    out.pop_back();
    return out;
}

std::string format_members(const json::object& cluster, std::string_view name,
                           const std::optional<std::string>& initialize, bool extended, output_format fmt)
{
    std::vector<std::string> columns = {"Cluster",     "Member",     "Host",       "Role",
                                        "State",       "TL",         "Receive LSN", "Receive Lag",
                                        "Replay LSN",  "Replay Lag"};
    static const json::array no_members;
    const auto* mv = get(cluster, "members");
    const json::array& members = mv && mv->is_array() ? mv->get_array() : no_members;

    std::vector<const json::object*> with_host;
    for (const auto& v : members)
        if (v.is_object() && v.get_object().contains("host")) with_host.push_back(&v.get_object());
    static const std::pair<const char*, const char*> optional_cols[] = {
        {"Pending restart", "pending_restart"},
        {"Pending restart reason", "pending_restart_reason"},
        {"Scheduled restart", "scheduled_restart"},
        {"Tags", "tags"}};
    for (const auto& [col, key] : optional_cols) {
        bool show = extended;
        for (const auto* m : with_host) show = show || truthy(get(*m, key));
        if (show) columns.push_back(col);
    }
    bool append_port = false;
    std::set<std::string> hosts;
    for (const auto* m : with_host) {
        if (const auto* p = get(*m, "port"); p && !(p->is_int64() && p->get_int64() == 5432)) append_port = true;
        hosts.insert(get_str(*m, "host"));
    }
    if (hosts.size() < with_host.size()) append_port = true;

    std::vector<json::object> ordered;
    if (fmt == output_format::topology) ordered = topology_sort(members);
    else
        for (const auto& v : members)
            if (v.is_object()) ordered.push_back(v.get_object());

    std::vector<row> rows;
    for (const auto& m : ordered) {
        std::map<std::string, json::value> cell;
        cell["cluster"] = json::string(name);
        cell["member"] = get(m, "name") ? *get(m, "name") : json::value(json::string());
        std::string host = get_str(m, "host");
        if (append_port && !host.empty())
            if (const auto* p = get(m, "port"); truthy(p)) host += ":" + cell_str(*p);
        cell["host"] = json::string(host);
        cell["role"] = json::string(title_case([&] {
            auto r = get_str(m, "role");
            std::replace(r.begin(), r.end(), '_', ' ');
            return r;
        }()));
        cell["state"] = get(m, "state") ? *get(m, "state") : json::value(json::string());
        cell["tl"] = get(m, "timeline") ? *get(m, "timeline") : json::value(json::string());

        auto lsn_of = [&](std::string_view key) {
            const auto* v = get(m, key);
            return v ? *v : json::value(json::string());
        };
        json::value receive_lsn = lsn_of("receive_lsn"), replay_lsn = lsn_of("replay_lsn");
        json::value receive_lag = lag_mb(get(m, "receive_lag")), replay_lag = lag_mb(get(m, "replay_lag"));
        const bool receive_unknown = receive_lsn.is_string() && receive_lsn.get_string() == "unknown";
        const bool replay_unknown = replay_lsn.is_string() && replay_lsn.get_string() == "unknown";
        const std::string old_lsn = get_str(m, "lsn");
        if (receive_unknown && replay_unknown && !old_lsn.empty() && old_lsn != "unknown") {
            if (get_str(m, "state") == "streaming") {
                receive_lsn = json::string(old_lsn);
                receive_lag = lag_mb(get(m, "lag"));
            } else {
                replay_lsn = json::string(old_lsn);
                replay_lag = lag_mb(get(m, "lag"));
            }
        }
        cell["receive_lsn"] = receive_lsn;
        cell["receive_lag"] = receive_lag;
        cell["replay_lsn"] = replay_lsn;
        cell["replay_lag"] = replay_lag;
        cell["pending_restart"] = json::string(truthy(get(m, "pending_restart")) ? "*" : "");

        std::string reasons;
        if (const auto* pr = get(m, "pending_restart_reason"); pr && pr->is_object()) {
            for (const auto& kv : pr->get_object()) {
                std::string line = std::string(kv.key()) + ": ";
                if (kv.value().is_object()) {
                    const auto& o = kv.value().get_object();
                    line += (get(o, "old_value") ? cell_str(*get(o, "old_value")) : std::string{}) + "->" +
                            (get(o, "new_value") ? cell_str(*get(o, "new_value")) : std::string{});
                }
                if ((fmt == output_format::pretty || fmt == output_format::topology) && line.size() > 50)
                    line = std::string(kv.key()) + ": [hidden - too long]";
                if (!reasons.empty()) reasons += "\n";
                reasons += line;
            }
        }
        cell["pending_restart_reason"] = json::string(reasons);

        std::string sched;
        if (const auto* sr = get(m, "scheduled_restart"); sr && sr->is_object()) {
            const auto& o = sr->get_object();
            sched = get(o, "schedule") ? cell_str(*get(o, "schedule")) : std::string{};
            if (const auto* pv = get(o, "postgres_version")) sched += " if version < " + cell_str(*pv);
        }
        cell["scheduled_restart"] = json::string(sched);
        cell["tags"] = get(m, "tags") ? *get(m, "tags") : json::value(json::string());

        row r;
        for (const auto& c : columns) {
            std::string key;
            for (char ch : c) key.push_back(ch == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
            auto it = cell.find(key);
            r.push_back(it == cell.end() ? json::value(json::string()) : it->second);
        }
        rows.push_back(std::move(r));
    }

    const std::string init = !initialize ? "uninitialized" : initialize->empty() ? "initializing" : *initialize;
    const std::string header = " Cluster: " + std::string(name) + " (" + init + ") ";
    std::string out = print_output(columns, std::move(rows),
                                   {"Group", "TL", "Receive LSN", "Replay LSN", "Lag", "Receive Lag", "Replay Lag"},
                                   fmt, header);
    if (fmt == output_format::pretty || fmt == output_format::topology) {
        std::vector<std::string> info;
        if (truthy(get(cluster, "pause"))) info.emplace_back("Maintenance mode: on");
        if (const auto* ss = get(cluster, "scheduled_switchover"); ss && ss->is_object()) {
            const auto& o = ss->get_object();
            std::string line = "Switchover scheduled at: " + get_str(o, "at");
            for (const char* k : {"from", "to"}) {
                if (!o.contains(k)) continue;
                std::string label(k);
                line += "\n" + std::string(24 - label.size(), ' ') + label + ": " + get_str(o, k);
            }
            info.push_back(std::move(line));
        }
        if (!info.empty()) {
            out += " ";
            for (std::size_t i = 0; i < info.size(); ++i) {
                if (i) out += "\n ";
                out += info[i];
            }
            out += "\n";
        }
    }
    return out;
}

std::string format_history(const json::value* history, output_format fmt)
{
    const std::vector<std::string> columns = {"TL", "LSN", "Reason", "Timestamp", "New Leader"};
    std::vector<row> rows;
    if (history && history->is_array()) {
        for (const auto& line : history->get_array()) {
            if (!line.is_array()) continue;
            row r(line.get_array().begin(), line.get_array().end());
            while (r.size() < columns.size()) r.emplace_back(json::string());
            rows.push_back(std::move(r));
        }
    }
    if (fmt == output_format::topology) fmt = output_format::pretty;
    return print_output(columns, std::move(rows), {"TL", "LSN"}, fmt, {});
}

std::string format_rows(const std::vector<std::string>& columns, std::vector<std::vector<json::value>> rows,
                        output_format fmt, std::string_view delimiter)
{
    return print_output(columns, std::move(rows), {}, fmt, {}, delimiter);
}

// ---------------------------------------------------------------- edit-config

std::vector<std::string> unified_diff(const std::string& before, const std::string& after)
{
    // show_diff's listify: strip trailing newlines, split on '\n'.
    auto listify = [](std::string s) {
        while (!s.empty() && s.back() == '\n') s.pop_back();
        return split_lines(s);
    };
    const auto a = listify(before), b = listify(after);
    const std::size_t n = a.size(), m = b.size();
    // LCS table from the ends, then a forward walk into equal / delete / insert ops.
    std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
    for (std::size_t i = n; i-- > 0;)
        for (std::size_t j = m; j-- > 0;)
            lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    struct op { char kind; std::size_t i, j; };   // ' ' equal, '-' a[i], '+' b[j]
    std::vector<op> ops;
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) ops.push_back({' ', i++, j++});
        else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push_back({'-', i++, j});   // difflib: - before +
        else ops.push_back({'+', i, j++});
    }
    std::vector<std::string> out;
    const std::size_t context = 3;
    std::size_t k = 0;
    while (k < ops.size()) {
        // Find the next change.
        std::size_t first = k;
        while (first < ops.size() && ops[first].kind == ' ') ++first;
        if (first == ops.size()) break;
        std::size_t start = first >= context ? first - context : 0;
        start = std::max(start, k > 0 ? k : std::size_t{0});
        // Extend while changes are within 2*context equal lines of each other.
        std::size_t end = first;
        for (;;) {
            while (end < ops.size() && ops[end].kind != ' ') ++end;
            std::size_t eq = end;
            while (eq < ops.size() && ops[eq].kind == ' ') ++eq;
            if (eq < ops.size() && eq - end <= 2 * context) {
                end = eq;
                continue;
            }
            end = std::min(ops.size(), end + context);
            break;
        }
        if (out.empty()) {
            out.emplace_back("--- ");
            out.emplace_back("+++ ");
        }
        std::size_t a_start = 0, a_len = 0, b_start = 0, b_len = 0;
        bool a_set = false, b_set = false;
        for (std::size_t x = start; x < end; ++x) {
            if (ops[x].kind != '+') {
                if (!a_set) a_start = ops[x].i, a_set = true;
                ++a_len;
            }
            if (ops[x].kind != '-') {
                if (!b_set) b_start = ops[x].j, b_set = true;
                ++b_len;
            }
        }
        if (!a_set) a_start = ops[start].i;
        if (!b_set) b_start = ops[start].j;
        auto range = [](std::size_t s, std::size_t len) {
            std::size_t beginning = s + 1;
            if (len == 1) return std::to_string(beginning);
            if (len == 0) --beginning;
            return std::to_string(beginning) + "," + std::to_string(len);
        };
        out.push_back("@@ -" + range(a_start, a_len) + " +" + range(b_start, b_len) + " @@");
        for (std::size_t x = start; x < end; ++x) {
            if (ops[x].kind == '+') out.push_back("+" + b[ops[x].j]);
            else out.push_back(std::string(1, ops[x].kind) + a[ops[x].i]);
        }
        k = end;
    }
    return out;
}

namespace {

void set_path(json::object& config, std::vector<std::string> path, const json::value& value,
              std::vector<std::string> prefix)
{
    if (prefix.size() == 2 && prefix[0] == "postgresql" && prefix[1] == "parameters" && path.size() > 1) {
        std::string joined;
        for (const auto& p : path) joined += (joined.empty() ? "" : ".") + p;
        path = {joined};
    }
    const std::string key = path.front();
    if (path.size() == 1) {
        if (value.is_null()) config.erase(key);
        else config[key] = value;
        return;
    }
    auto it = config.find(key);
    if (it == config.end() || !it->value().is_object()) config[key] = json::object{};
    auto& child = config[key].as_object();
    prefix.push_back(key);
    set_path(child, std::vector<std::string>(path.begin() + 1, path.end()), value, prefix);
    if (config[key].as_object().empty()) config.erase(key);
}

} // namespace

void set_path_value(json::object& config, const std::string& key, const json::value& value)
{
    std::string k = strip(key);
    std::vector<std::string> path;
    std::size_t start = 0;
    for (;;) {
        auto dot = k.find('.', start);
        path.push_back(k.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    set_path(config, path, value, {});
}

} // namespace pgwarden::ctl
