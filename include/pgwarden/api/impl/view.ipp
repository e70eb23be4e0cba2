#pragma once
#include <pgwarden/dcs/codec.hpp>
#include <pgwarden/api/detail/py_json.hpp>
#include <pgwarden/api/view.hpp>

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <string>

namespace pgwarden::api {

PGWARDEN_DECL std::optional<ip_network> ip_network::parse(std::string_view text) noexcept
{
    ip_network n;
    std::string_view addr = text;
    std::optional<int> prefix;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        addr = text.substr(0, slash);
        auto p = text.substr(slash + 1);
        int value = 0;
        auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
        if (ec != std::errc{} || ptr != p.data() + p.size() || p.empty()) return std::nullopt;
        prefix = value;
    }
    if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
    char buf[64];
    if (addr.size() >= sizeof buf) return std::nullopt;
    std::memcpy(buf, addr.data(), addr.size());
    buf[addr.size()] = '\0';
    if (::inet_pton(AF_INET, buf, n.address.data()) == 1) {
        n.v6 = false;
        n.prefix = prefix.value_or(32);
        if (n.prefix < 0 || n.prefix > 32) return std::nullopt;
        return n;
    }
    if (::inet_pton(AF_INET6, buf, n.address.data()) == 1) {
        n.v6 = true;
        n.prefix = prefix.value_or(128);
        if (n.prefix < 0 || n.prefix > 128) return std::nullopt;
        return n;
    }
    return std::nullopt;
}

PGWARDEN_DECL dcs::json_fields filter_tags(const dcs::json_fields& configured)
{
    return dcs::effective_tags(configured);   // one implementation of tags.py _filter_tags
}

} // namespace pgwarden::api
