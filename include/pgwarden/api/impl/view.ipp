#pragma once
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
    auto has = [&](std::string_view name) {
        for (const auto& [k, v] : configured)
            if (k == name) return true;
        return false;
    };
    dcs::json_fields out;
    for (const auto& [tag, value] : configured) {
        const bool builtin = tag == "clonefrom" || tag == "nofailover" || tag == "noloadbalance" ||
                             tag == "nosync" || tag == "nostream";
        if (!builtin || detail::json_text_truthy(value) ||
            (tag == "nofailover" && has("failover_priority")) || (tag == "nosync" && has("sync_priority")))
            out.emplace_back(tag, value);
    }
    return out;
}

} // namespace pgwarden::api
