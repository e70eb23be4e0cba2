// The etcd v3 binding of the daemon template (apps/common/daemon.hpp).
#pragma once
#include <pgwarden/config/model.hpp>
#include <pgwarden/dcs/etcd3/client.hpp>

namespace pgwarden::apps {

struct etcd3_binding {
    using client = dcs::etcd3::client;
    static constexpr std::string_view section = "etcd3";

    /// Builds the client from the `etcd3` section and the top-level keys.
    static result<client> make(boost::asio::any_io_executor ex, const config::local_config& local)
    {
        dcs::etcd3::config c;
        c.scope = local.scope;
        c.namespace_name = local.namespace_;
        c.name = local.name;
        if (local.etcd3) {
            const auto& e = *local.etcd3;
            c.host = e.host;
            c.hosts = e.hosts;
            c.use_proxies = e.use_proxies;
            c.url = e.url;
            c.proxy = e.proxy;
            c.srv = e.srv;
            c.srv_suffix = e.srv_suffix;
            c.protocol = e.protocol;
            c.username = e.username;
            c.password = e.password;
            c.cacert = e.cacert;
            c.cert = e.cert;
            c.key = e.key;
        }
        return client::create(ex, std::move(c));
    }
};

} // namespace pgwarden::apps
