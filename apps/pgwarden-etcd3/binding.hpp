// The etcd v3 binding of the daemon template (apps/common/daemon.hpp).
#pragma once
#include <pgwarden/config/model.hpp>
#include <pgwarden/dcs/etcd3/client.hpp>

namespace pgwarden::apps {

/// The etcd3 client settings of `local` (its `etcd3` section) for `scope`, as member `name`.
inline dcs::etcd3::config etcd3_config(const config::local_config& local, std::string scope, std::string name)
{
    dcs::etcd3::config c;
    c.scope = std::move(scope);
    c.namespace_name = local.namespace_;
    c.name = std::move(name);
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
    return c;
}

struct etcd3_binding {
    using client = dcs::etcd3::client;
    static constexpr std::string_view section = "etcd3";

    /// Builds the client from the `etcd3` section and the top-level keys.
    static result<client> make(boost::asio::any_io_executor ex, const config::local_config& local)
    {
        return client::create(ex, etcd3_config(local, local.scope, local.name));
    }
};

} // namespace pgwarden::apps
