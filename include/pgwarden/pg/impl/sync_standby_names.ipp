#pragma once
#include <pgwarden/pg/error.hpp>
#include <pgwarden/pg/sync_standby_names.hpp>

#include <algorithm>
#include <cctype>

namespace pgwarden::pg {
namespace detail {

inline bool ascii_iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

inline bool is_ident_start(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

inline bool is_ident_char(char c) noexcept
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

inline bool is_plain_standby_name(std::string_view name) noexcept
{
    if (name.empty() || !is_ident_start(name[0])) return false;
    if (!std::all_of(name.begin(), name.end(), is_ident_char)) return false;
    return !ascii_iequals(name, "first") && !ascii_iequals(name, "any");
}

enum class tok { first, any, ident, dquot, star, num, comma, open, close, junk };

struct token {
    tok type;
    std::string text;   // dquot: already unquoted
};

// The tokenizer follows Patroni's regular expression, including its
// alternation order: `first`/`any` are tried before identifiers, so
// "anyone" becomes `any` + `one` (and then fails to parse), as in Patroni.
inline std::vector<token> tokenize(std::string_view v)
{
    std::vector<token> out;
    std::size_t i = 0;
    auto starts_ci = [&](std::string_view word) {
        return v.size() - i >= word.size() && ascii_iequals(v.substr(i, word.size()), word);
    };
    while (i < v.size()) {
        const char c = v[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (starts_ci("first")) {
            out.push_back({tok::first, std::string(v.substr(i, 5))});
            i += 5;
        } else if (starts_ci("any")) {
            out.push_back({tok::any, std::string(v.substr(i, 3))});
            i += 3;
        } else if (is_ident_start(c)) {
            std::size_t j = i + 1;
            while (j < v.size() && is_ident_char(v[j])) ++j;
            out.push_back({tok::ident, std::string(v.substr(i, j - i))});
            i = j;
        } else if (c == '"') {
            std::string text;
            std::size_t j = i + 1;
            bool closed = false;
            while (j < v.size()) {
                if (v[j] == '"') {
                    if (j + 1 < v.size() && v[j + 1] == '"') {
                        text.push_back('"');
                        j += 2;
                        continue;
                    }
                    closed = true;
                    ++j;
                    break;
                }
                text.push_back(v[j++]);
            }
            if (!closed) {
                out.push_back({tok::junk, "\""});
                ++i;
            } else {
                out.push_back({tok::dquot, std::move(text)});
                i = j;
            }
        } else if (c == '*') {
            out.push_back({tok::star, "*"});
            ++i;
        } else if (c >= '0' && c <= '9') {
            std::size_t j = i + 1;
            while (j < v.size() && v[j] >= '0' && v[j] <= '9') ++j;
            out.push_back({tok::num, std::string(v.substr(i, j - i))});
            i = j;
        } else if (c == ',') {
            out.push_back({tok::comma, ","});
            ++i;
        } else if (c == '(') {
            out.push_back({tok::open, "("});
            ++i;
        } else if (c == ')') {
            out.push_back({tok::close, ")"});
            ++i;
        } else {
            out.push_back({tok::junk, std::string(1, c)});
            ++i;
        }
    }
    return out;
}

} // namespace detail

PGWARDEN_DECL std::string quote_standby_name(std::string_view name)
{
    if (detail::is_plain_standby_name(name)) return std::string(name);
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

PGWARDEN_DECL std::string format_sync_standby_names(const sync_names& n, int server_version)
{
    const bool multiple = server_version >= 90600;
    const bool any_keyword = server_version >= 100000;
    const bool has_star = std::find(n.names.begin(), n.names.end(), "*") != n.names.end();
    const bool strict = n.strict_placeholder || has_star || (n.count >= 1 && n.names.empty());

    std::vector<std::string> names;
    if (strict) {
        names.emplace_back(strict_sync_placeholder);
    } else {
        std::vector<std::string> sorted = n.names;
        std::sort(sorted.begin(), sorted.end());
        sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
        for (const auto& s : sorted) names.push_back(quote_standby_name(s));
    }
    if (names.empty()) return {};

    std::string list;
    int num = n.count;
    if (multiple && names.size() > 1) {
        if (num <= 0) num = static_cast<int>(names.size());
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (i) list.push_back(',');
            list += names[i];
        }
    } else {
        list = names.front();
    }
    if (multiple && ((n.quorum && !names.empty()) || names.size() > 1)) {
        if (num <= 0) num = static_cast<int>(names.size());
        const std::string prefix = (n.quorum && any_keyword) ? "ANY " : "";
        return prefix + std::to_string(num) + " (" + list + ")";
    }
    return list;
}

PGWARDEN_DECL result<parsed_sync_standby_names> parse_sync_standby_names(std::string_view value)
{
    using detail::tok;
    const auto tokens = detail::tokenize(value);
    parsed_sync_standby_names out;
    if (tokens.empty()) return out;

    auto kinds_are = [&](std::initializer_list<tok> ks) {
        if (tokens.size() < ks.size()) return false;
        std::size_t i = 0;
        for (tok k : ks)
            if (tokens[i++].type != k) return false;
        return tokens.back().type == tok::close;
    };
    auto to_int = [](const std::string& s) {
        long long v = 0;
        for (char c : s) {
            v = v * 10 + (c - '0');
            if (v > 1000000000) return 1000000000;
        }
        return static_cast<int>(v);
    };

    std::size_t first = 0, last = tokens.size();
    if (kinds_are({tok::any, tok::num, tok::open})) {
        out.type = parsed_sync_standby_names::kind::quorum;
        out.num = to_int(tokens[1].text);
        first = 3;
        last = tokens.size() - 1;
    } else if (kinds_are({tok::first, tok::num, tok::open})) {
        out.type = parsed_sync_standby_names::kind::priority;
        out.num = to_int(tokens[1].text);
        first = 3;
        last = tokens.size() - 1;
    } else if (kinds_are({tok::num, tok::open})) {
        out.type = parsed_sync_standby_names::kind::priority;
        out.num = to_int(tokens[0].text);
        first = 2;
        last = tokens.size() - 1;
    } else {
        out.type = parsed_sync_standby_names::kind::priority;
        out.num = 1;
    }

    auto add = [&](std::string name) {
        for (const auto& m : out.members)
            if (detail::ascii_iequals(m, name)) return;
        out.members.push_back(std::move(name));
    };
    for (std::size_t i = first; i < last; ++i) {
        const auto& t = tokens[i];
        if ((i - first) % 2 == 1) {
            if (i + 1 == last || t.type != tok::comma) return make_error_code(error::bad_output);
            continue;
        }
        switch (t.type) {
        case tok::ident:
        case tok::first:
        case tok::any:
        case tok::dquot: add(t.text); break;
        case tok::star:
            out.has_star = true;
            add(t.text);
            break;
        default: return make_error_code(error::bad_output);
        }
    }
    if (out.members.size() == 1 && detail::ascii_iequals(out.members[0], strict_sync_placeholder))
        out.members.clear();
    return out;
}

} // namespace pgwarden::pg
