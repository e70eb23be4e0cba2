#include "support/etcd.hpp"

#include <csignal>
#include <stdexcept>
#include <unistd.h>

namespace pgwarden::test {

bool etcd_available()
{
    return ::access("/usr/bin/etcd", X_OK) == 0;
}

etcd_server::etcd_server() : etcd_server(etcd_options{}) {}

etcd_server::etcd_server(etcd_options options)
    : options_(std::move(options)), dir_(std::make_unique<temp_dir>("pgwarden-etcd")), client_port_(free_port()),
      peer_port_(free_port())
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
    return (options_.cert_file.empty() ? "http://" : "https://") + host_port();
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
    std::vector<std::string> argv{"/usr/bin/etcd", "--name", "pgwarden-test", "--data-dir", *dir_ / "data",
                   "--listen-client-urls", client_url(), "--advertise-client-urls", client_url(),
                   "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                   "--initial-cluster", "pgwarden-test=" + peer, "--initial-cluster-state", "new",
                   "--heartbeat-interval", "50", "--election-timeout", "500", "--log-level", "warn"};
    if (!options_.cert_file.empty()) {
        argv.insert(argv.end(), {"--cert-file", options_.cert_file, "--key-file", options_.key_file});
        if (!options_.ca_file.empty()) argv.insert(argv.end(), {"--trusted-ca-file", options_.ca_file});
        if (options_.client_cert_auth) argv.emplace_back("--client-cert-auth");
    }
    argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
    proc_ = spawn(argv, opts);
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
    if (!options_.ca_file.empty()) argv.push_back("--cacert=" + options_.ca_file);
    if (!options_.client_cert.empty())
        argv.insert(argv.end(), {"--cert=" + options_.client_cert, "--key=" + options_.client_key});
    argv.insert(argv.end(), args.begin(), args.end());
    spawn_options opts;
    opts.env["ETCDCTL_API"] = "3";
    return run(argv, output, opts, std::chrono::seconds(20));
}

} // namespace pgwarden::test

namespace pgwarden::test {

double etcd_server::metric(const std::string& name) const
{
    std::vector<std::string> argv{"/usr/bin/curl", "-s", "--max-time", "5"};
    if (!options_.ca_file.empty()) argv.push_back("--cacert=" + options_.ca_file);
    if (!options_.client_cert.empty())
        argv.insert(argv.end(), {"--cert", options_.client_cert, "--key", options_.client_key});
    argv.push_back(client_url() + "/metrics");
    std::string out;
    if (run(argv, &out, {}, std::chrono::seconds(10)) != 0) return -1;
    double sum = -1;
    std::size_t pos = 0;
    while (pos < out.size()) {
        auto end = out.find('\n', pos);
        if (end == std::string::npos) end = out.size();
        const std::string line = out.substr(pos, end - pos);
        pos = end + 1;
        if (line.rfind(name, 0) != 0) continue;
        const char next = line.size() > name.size() ? line[name.size()] : '\0';
        if (next != ' ' && next != '{') continue;
        const auto sp = line.rfind(' ');
        if (sp == std::string::npos) continue;
        sum = (sum < 0 ? 0 : sum) + std::stod(line.substr(sp + 1));
    }
    return sum;
}

} // namespace pgwarden::test
