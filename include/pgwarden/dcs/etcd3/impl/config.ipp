#pragma once
#include <pgwarden/dcs/etcd3/config.hpp>
#include <pgwarden/dcs/etcd3/error.hpp>

namespace pgwarden::dcs::etcd3 {

PGWARDEN_DECL result<endpoints_and_auth> resolve_endpoints(const config& cfg)
{
    endpoints_and_auth out;
    out.username = cfg.username;
    out.password = cfg.password;
    out.use_proxies = cfg.use_proxies;
    const std::string scheme = cfg.protocol.empty() ? std::string("http") : cfg.protocol;
    constexpr std::uint16_t default_port = 2379;

    auto from_url = [&](const std::string& text) -> bool {
        auto u = http::parse_url(text);
        if (!u) return false;
        out.endpoints.push_back(u->where);
        if (!u->username.empty() && !out.username) out.username = u->username;
        if (!u->password.empty() && !out.password) out.password = u->password;
        return true;
    };

    if (cfg.proxy) {
        // Patroni: a proxy means "talk only to this address".
        if (!from_url(*cfg.proxy)) return error::bad_config;
        out.use_proxies = true;
        return out;
    }
    if (cfg.url) {
        if (!from_url(*cfg.url)) return error::bad_config;
        return out;
    }
    std::vector<std::string> items;
    for (const auto& h : cfg.hosts)
        for (auto& part : http::split_host_list(h)) items.push_back(std::move(part));
    if (items.empty() && cfg.host) items = http::split_host_list(*cfg.host);
    for (const auto& item : items) {
        auto ep = http::parse_host_port(item, scheme, default_port);
        if (!ep) return error::bad_config;
        if (std::find(out.endpoints.begin(), out.endpoints.end(), *ep) == out.endpoints.end())
            out.endpoints.push_back(std::move(*ep));
    }
    out.srv = cfg.srv.has_value() && !cfg.srv->empty();
    if (out.endpoints.empty() && !out.srv) return error::bad_config;
    return out;
}

} // namespace pgwarden::dcs::etcd3
