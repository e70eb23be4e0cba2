#pragma once
#include <pgwarden/config/document.hpp>

#include <boost/json/serialize.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <regex>
#include <sstream>
#include <vector>

namespace pgwarden::config {
namespace detail {

/// YAML 1.1 implicit resolution of a plain scalar, as PyYAML's SafeLoader does.
inline boost::json::value resolve_plain(const std::string& s)
{
    static const std::regex null_re("~|null|Null|NULL|");
    static const std::regex bool_re("yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
    static const std::regex int_re(
        "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
    static const std::regex float_re(
        "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9_]+(?:[eE][-+][0-9]+)?|"
        "[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");
    if (std::regex_match(s, null_re))
        return nullptr;
    if (std::regex_match(s, bool_re)) {
        char c = s[0];
        return c == 'y' || c == 'Y' || c == 't' || c == 'T' || (s.size() == 2 && (c == 'o' || c == 'O'));
    }
    if (std::regex_match(s, int_re)) {
        std::string t;
        for (char c : s)
            if (c != '_')
                t += c;
        bool neg = false;
        std::size_t i = 0;
        if (t[0] == '-' || t[0] == '+') {
            neg = t[0] == '-';
            i = 1;
        }
        long double v = 0;
        if (t.find(':') != std::string::npos) {   // sexagesimal 1:30 = 90
            std::stringstream ss(t.substr(i));
            std::string part;
            while (std::getline(ss, part, ':'))
                v = v * 60 + std::stoll(part);
        }
        else {
            int base = 10;
            if (t.compare(i, 2, "0b") == 0) {
                base = 2;
                i += 2;
            }
            else if (t.compare(i, 2, "0x") == 0) {
                base = 16;
                i += 2;
            }
            else if (t[i] == '0' && t.size() > i + 1) {
                base = 8;
                i += 1;
            }
            for (; i < t.size(); ++i) {
                char c = t[i];
                int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
                v = v * base + d;
            }
        }
        if (neg)
            v = -v;
        if (v >= static_cast<long double>(std::numeric_limits<std::int64_t>::min()) &&
            v <= static_cast<long double>(std::numeric_limits<std::int64_t>::max()))
            return static_cast<std::int64_t>(v);
        return static_cast<double>(v);
    }
    if (std::regex_match(s, float_re)) {
        std::string t;
        for (char c : s)
            if (c != '_')
                t += c;
        if (t.find("inf") != std::string::npos || t.find("Inf") != std::string::npos ||
            t.find("INF") != std::string::npos)
            return t[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
        if (t.find('n') != std::string::npos || t.find('N') != std::string::npos)
            return std::numeric_limits<double>::quiet_NaN();
        if (t.find(':') != std::string::npos) {
            std::stringstream ss(t);
            std::string part;
            double v = 0;
            bool neg = t[0] == '-';
            while (std::getline(ss, part, ':'))
                v = v * 60 + std::abs(std::stod(part));
            return neg ? -v : v;
        }
        return std::stod(t);
    }
    return boost::json::string(s);
}

inline boost::json::value from_tagged(const YAML::Node& n)
{
    const std::string& tag = n.Tag();
    const std::string& s = n.Scalar();
    if (tag == "!" || tag == "tag:yaml.org,2002:str")
        return boost::json::string(s);
    if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" || tag == "tag:yaml.org,2002:bool" ||
        tag == "tag:yaml.org,2002:null") {
        auto v = resolve_plain(s);
        return v;
    }
    return resolve_plain(s);
}

struct yaml_converter {
    config_error* why;
    bool failed = false;

    void fail(const std::string& path, const std::string& msg)
    {
        failed = true;
        if (why && why->message.empty()) {
            why->code = error::bad_value;
            why->path = path;
            why->message = msg;
        }
    }

    static std::string join(const std::string& path, const std::string& key)
    {
        return path.empty() ? key : path + "." + key;
    }

    boost::json::value convert(const YAML::Node& n, const std::string& path)
    {
        switch (n.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null: return nullptr;
        case YAML::NodeType::Scalar: return from_tagged(n);
        case YAML::NodeType::Sequence: {
            boost::json::array a;
            std::size_t i = 0;
            for (const auto& item : n)
                a.push_back(convert(item, join(path, std::to_string(i++))));
            return a;
        }
        case YAML::NodeType::Map: {
            boost::json::object o;
            std::vector<boost::json::object> merges;
            for (const auto& kv : n) {
                if (!kv.first.IsScalar()) {
                    fail(path, "mapping keys must be scalars");
                    continue;
                }
                const std::string& key = kv.first.Scalar();
                if (key == "<<" && kv.first.Tag() != "!") {
                    auto v = convert(kv.second, path);
                    if (v.is_object())
                        merges.push_back(v.as_object());
                    else if (v.is_array())
                        for (auto& m : v.as_array())
                            if (m.is_object())
                                merges.push_back(m.as_object());
                    continue;
                }
                o[key] = convert(kv.second, join(path, key));
            }
            // Explicit keys win over merged ones; earlier merge sources win over later ones.
            for (const auto& m : merges)
                for (const auto& kv : m)
                    if (!o.contains(kv.key()))
                        o[kv.key()] = kv.value();
            return o;
        }
        }
        return nullptr;
    }
};

inline bool plain_safe(const std::string& s)
{
    if (s.empty())
        return false;
    auto resolved = resolve_plain(s);
    if (!resolved.is_string())
        return false;
    static const std::string bad_first = "-?:,[]{}#&*!|>'\"%@` ";
    if (bad_first.find(s.front()) != std::string::npos && !(s.front() == '-' && s.size() > 1 && s[1] != ' '))
        return false;
    if (s.back() == ' ' || s.back() == ':')
        return false;
    if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos)
        return false;
    for (char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f')
            return false;
    return true;
}

inline std::string yaml_scalar(const boost::json::value& v)
{
    switch (v.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return v.get_bool() ? "true" : "false";
    case boost::json::kind::int64: return std::to_string(v.get_int64());
    case boost::json::kind::uint64: return std::to_string(v.get_uint64());
    case boost::json::kind::double_: return boost::json::serialize(v);
    case boost::json::kind::string: {
        std::string s(v.get_string());
        if (plain_safe(s))
            return s;
        bool printable = std::none_of(s.begin(), s.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20 && c != '\t';
        });
        if (printable) {
            std::string out = "'";
            for (char c : s) {
                if (c == '\'')
                    out += '\'';
                out += c;
            }
            return out + "'";
        }
        return boost::json::serialize(v);   // a JSON string is a valid YAML double-quoted scalar
    }
    case boost::json::kind::array: return v.get_array().empty() ? "[]" : "";
    case boost::json::kind::object: return v.get_object().empty() ? "{}" : "";
    }
    return "null";
}

inline bool is_nonempty_container(const boost::json::value& v)
{
    return (v.is_array() && !v.get_array().empty()) || (v.is_object() && !v.get_object().empty());
}

inline std::string key_text(std::string_view k)
{
    return yaml_scalar(boost::json::string(k));
}

inline void emit(std::string& out, const boost::json::value& v, int indent, bool sort_keys)
{
    std::string pad(static_cast<std::size_t>(indent), ' ');
    if (v.is_object()) {
        std::vector<const boost::json::key_value_pair*> kvs;
        for (const auto& kv : v.get_object())
            kvs.push_back(&kv);
        if (sort_keys)
            std::sort(kvs.begin(), kvs.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
        for (auto* kv : kvs) {
            out += pad + key_text(kv->key()) + ":";
            if (is_nonempty_container(kv->value())) {
                out += "\n";
                emit(out, kv->value(), kv->value().is_array() ? indent : indent + 2, sort_keys);
            }
            else
                out += " " + yaml_scalar(kv->value()) + "\n";
        }
    }
    else if (v.is_array()) {
        for (const auto& item : v.get_array()) {
            if (item.is_object() && !item.get_object().empty()) {
                // First key on the dash line, the rest indented under it.
                std::string sub;
                emit(sub, item, indent + 2, sort_keys);
                sub.replace(0, static_cast<std::size_t>(indent + 2), pad + "- ");
                out += sub;
            }
            else if (item.is_array() && !item.get_array().empty()) {
                std::string sub;
                emit(sub, item, indent + 2, sort_keys);
                sub.replace(0, static_cast<std::size_t>(indent + 2), pad + "- ");
                out += sub;
            }
            else
                out += pad + "- " + yaml_scalar(item) + "\n";
        }
    }
    else
        out += pad + yaml_scalar(v) + "\n";
}

inline void python_repr(std::string& out, const boost::json::value& v, bool top)
{
    switch (v.kind()) {
    case boost::json::kind::null: out += "None"; break;
    case boost::json::kind::bool_: out += v.get_bool() ? "True" : "False"; break;
    case boost::json::kind::int64: out += std::to_string(v.get_int64()); break;
    case boost::json::kind::uint64: out += std::to_string(v.get_uint64()); break;
    case boost::json::kind::double_: out += boost::json::serialize(v); break;
    case boost::json::kind::string:
        if (top)
            out += v.get_string();
        else
            out += "'" + std::string(v.get_string()) + "'";
        break;
    case boost::json::kind::array: {
        out += "[";
        bool first = true;
        for (const auto& i : v.get_array()) {
            if (!first)
                out += ", ";
            first = false;
            python_repr(out, i, false);
        }
        out += "]";
        break;
    }
    case boost::json::kind::object: {
        out += "{";
        bool first = true;
        for (const auto& kv : v.get_object()) {
            if (!first)
                out += ", ";
            first = false;
            out += "'" + std::string(kv.key()) + "': ";
            python_repr(out, kv.value(), false);
        }
        out += "}";
        break;
    }
    }
}

} // namespace detail

PGWARDEN_DECL result<boost::json::value> parse_yaml(std::string_view text, std::string_view source,
                                                    config_error* why)
{
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    }
    catch (const YAML::Exception& e) {
        if (why) {
            why->code = error::syntax;
            why->path = std::string(source) + ":" + std::to_string(e.mark.line + 1) + ":" +
                        std::to_string(e.mark.column + 1);
            why->message = e.msg;
        }
        return error::syntax;
    }
    detail::yaml_converter conv{why};
    boost::json::value v;
    try {
        v = conv.convert(root, "");
    }
    catch (const YAML::Exception& e) {
        if (why) {
            why->code = error::syntax;
            why->path = std::string(source);
            why->message = e.msg;
        }
        return error::syntax;
    }
    if (conv.failed)
        return error::bad_value;
    return v;
}

PGWARDEN_DECL bool patch_config(boost::json::object& base, const boost::json::object& overlay)
{
    bool changed = false;
    for (const auto& kv : overlay) {
        const auto& key = kv.key();
        const auto& value = kv.value();
        if (value.is_null()) {
            changed |= base.erase(key) > 0;
            continue;
        }
        auto it = base.find(key);
        if (it == base.end()) {
            base[key] = value;
            changed = true;
        }
        else if (it->value().is_object() && value.is_object())
            changed |= patch_config(it->value().as_object(), value.get_object());
        else if (python_str(it->value()) != python_str(value)) {
            it->value() = value;
            changed = true;
        }
    }
    return changed;
}

PGWARDEN_DECL std::string python_str(const boost::json::value& v)
{
    std::string out;
    detail::python_repr(out, v, true);
    return out;
}

PGWARDEN_DECL std::string to_yaml(const boost::json::value& v, bool sort_keys)
{
    std::string out;
    if (!v.is_object() && !v.is_array())
        return detail::yaml_scalar(v) + "\n";
    if (!detail::is_nonempty_container(v))
        return detail::yaml_scalar(v) + "\n";
    detail::emit(out, v, 0, sort_keys);
    return out;
}

PGWARDEN_DECL const boost::json::value* find_path(const boost::json::value& root, std::string_view dotted) noexcept
{
    const boost::json::value* cur = &root;
    while (!dotted.empty()) {
        auto dot = dotted.find('.');
        std::string_view part = dotted.substr(0, dot);
        dotted = dot == std::string_view::npos ? std::string_view{} : dotted.substr(dot + 1);
        if (cur->is_object()) {
            auto it = cur->get_object().find(part);
            if (it == cur->get_object().end())
                return nullptr;
            cur = &it->value();
        }
        else if (cur->is_array()) {
            std::size_t idx = 0;
            auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), idx);
            if (ec != std::errc{} || p != part.data() + part.size() || idx >= cur->get_array().size())
                return nullptr;
            cur = &cur->get_array()[idx];
        }
        else
            return nullptr;
    }
    return cur;
}

PGWARDEN_DECL const boost::json::value* find_path(const boost::json::object& root, std::string_view dotted) noexcept
{
    auto dot = dotted.find('.');
    auto it = root.find(dotted.substr(0, dot));
    if (it == root.end())
        return nullptr;
    if (dot == std::string_view::npos)
        return &it->value();
    return find_path(it->value(), dotted.substr(dot + 1));
}

} // namespace pgwarden::config
