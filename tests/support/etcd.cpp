#include "support/etcd.hpp"

#include <csignal>
#include <stdexcept>
#include <unistd.h>

namespace pgwarden::test {

bool etcd_available()
{
    return ::access("/usr/bin/etcd", X_OK) == 0;
}

etcd_server::etcd_server()
    : dir_(std::make_unique<temp_dir>("pgwarden-etcd")), client_port_(free_port()), peer_port_(free_port())
{
    while (peer_port_ == client_port_) peer_port_ = free_port();
    launch();
}

etcd_server::~etcd_server()
{
    if (proc_.pid() > 0) {
        proc_.signal(SIGCONT);
        proc_.stop(SIGTERM, std::chrono::seconds(10));
    }
}

std::string etcd_server::client_url() const
{
    return "http://" + host_port();
}

std::string etcd_server::host_port() const
{
    return "127.0.0.1:" + std::to_string(client_port_);
}

void etcd_server::launch()
{
    const std::string peer = "http://127.0.0.1:" + std::to_string(peer_port_);
    spawn_options opts;
    opts.log_file = *dir_ / "etcd.log";
    opts.unset_env = {"ETCD_NAME", "ETCD_DATA_DIR", "ETCDCTL_ENDPOINTS"};
    proc_ = spawn({"/usr/bin/etcd", "--name", "pgwarden-test", "--data-dir", *dir_ / "data",
                   "--listen-client-urls", client_url(), "--advertise-client-urls", client_url(),
                   "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                   "--initial-cluster", "pgwarden-test=" + peer, "--initial-cluster-state", "new",
                   "--heartbeat-interval", "50", "--election-timeout", "500", "--log-level", "warn"},
                  opts);
    const bool ready = wait_until(
        [&] { return etcdctl({"endpoint", "health"}) == 0; }, std::chrono::seconds(30),
        std::chrono::milliseconds(100));
    if (!ready) throw std::runtime_error("etcd did not start; see " + opts.log_file);
}

void etcd_server::kill()
{
    proc_.signal(SIGCONT);
    proc_.stop(SIGKILL, std::chrono::seconds(10));
}

void etcd_server::restart()
{
    kill();
    launch();
}

void etcd_server::pause()
{
    proc_.signal(SIGSTOP);
}

void etcd_server::resume()
{
    proc_.signal(SIGCONT);
}

int etcd_server::etcdctl(const std::vector<std::string>& args, std::string* output) const
{
    std::vector<std::string> argv{"/usr/bin/etcdctl", "--endpoints=" + client_url(), "--command-timeout=3s"};
    argv.insert(argv.end(), args.begin(), args.end());
    spawn_options opts;
    opts.env["ETCDCTL_API"] = "3";
    return run(argv, output, opts, std::chrono::seconds(20));
}

} // namespace pgwarden::test
