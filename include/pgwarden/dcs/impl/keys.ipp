#pragma once
#include <pgwarden/dcs/detail/utf8.hpp>
#include <pgwarden/dcs/keys.hpp>

#include <cstdint>

namespace pgwarden::dcs {

PGWARDEN_DECL std::string base_path(std::string_view namespace_name, std::string_view scope)
{
    std::string joined;
    joined.reserve(namespace_name.size() + scope.size() + 2);
    joined += '/';
    joined += namespace_name;
    joined += '/';
    joined += scope;
    std::string out;
    out.reserve(joined.size());
    for (char c : joined) {
        if (c == '/' && !out.empty() && out.back() == '/') continue;
        out += c;
    }
    return out;
}

PGWARDEN_DECL std::string full_key(std::string_view base, std::string_view relative)
{
    std::string out(base);
    if (out.empty() || out.back() != '/') out += '/';
    out += relative;
    return out;
}

PGWARDEN_DECL std::string member_key(std::string_view name)
{
    std::string out(key::members);
    out += name;
    return out;
}

PGWARDEN_DECL std::optional<std::string_view> relative_key(std::string_view base,
                                                           std::string_view full) noexcept
{
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    if (full.size() <= base.size() + 1) return std::nullopt;
    if (full.substr(0, base.size()) != base) return std::nullopt;
    if (full[base.size()] != '/') return std::nullopt;
    return full.substr(base.size() + 1);
}

PGWARDEN_DECL std::optional<std::string_view> member_name_of(std::string_view relative) noexcept
{
    if (relative.substr(0, key::members.size()) != key::members) return std::nullopt;
    auto name = relative.substr(key::members.size());
    if (name.empty() || name.find('/') != std::string_view::npos) return std::nullopt;
    return name;
}

PGWARDEN_DECL std::string slot_name_from_member_name(std::string_view member_name)
{
    std::string out;
    for (std::size_t i = 0; i < member_name.size();) {
        std::uint32_t cp = detail::next_code_point(member_name, i);
        // Python's str.lower(), for the ranges we cover.
        if (cp >= 'A' && cp <= 'Z') cp += 32;
        else if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) cp += 32;
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '_') {
            out += static_cast<char>(cp);
        } else if (cp == '-' || cp == '.') {
            out += '_';
        } else {
            std::string digits = std::to_string(cp);
            out += 'u';
            if (digits.size() < 4) out.append(4 - digits.size(), '0');
            out += digits;
        }
    }
    if (out.size() > 63) out.resize(63);
    return out;
}

PGWARDEN_DECL bool is_valid_slot_name(std::string_view name) noexcept
{
    if (name.empty() || name.size() > 63) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

} // namespace pgwarden::dcs
