// A real etcd for integration tests: started on free 127.0.0.1 ports in a
// temporary directory, stopped by PID (never by name).
#pragma once
#include "support/process.hpp"

#include <memory>
#include <string>
#include <vector>

namespace pgwarden::test {

/// True when /usr/bin/etcd (or etcd in PATH) exists.
bool etcd_available();

/// How to start etcd. With cert_file the client URL is https.
struct etcd_options {
    std::vector<std::string> extra_args;   ///< e.g. {"--auth-token-ttl", "2"}
    std::string cert_file, key_file;       ///< server certificate and key (PEM)
    std::string ca_file;                   ///< --trusted-ca-file (with client_cert_auth)
    bool client_cert_auth = false;         ///< --client-cert-auth
    /// Client credentials etcdctl uses (with client_cert_auth).
    std::string client_cert, client_key;
};

class etcd_server {
public:
    /// Starts etcd and waits until it serves /version; throws std::runtime_error if it does not.
    etcd_server();
    explicit etcd_server(etcd_options options);
    etcd_server(const etcd_server&) = delete;
    etcd_server& operator=(const etcd_server&) = delete;
    ~etcd_server();

    unsigned short client_port() const noexcept { return client_port_; }
    unsigned short peer_port() const noexcept { return peer_port_; }
    /// `http://127.0.0.1:<port>` (https with a certificate)
    std::string client_url() const;
    /// `127.0.0.1:<port>`
    std::string host_port() const;

    /// Kills etcd (SIGKILL) and waits for it to exit.
    void kill();
    /// Starts it again on the same ports and data directory; waits until ready.
    void restart();
    /// SIGSTOP / SIGCONT: a peer that accepts connections but never answers.
    void pause();
    void resume();

    /// Runs `etcdctl --endpoints=<url> args...` with ETCDCTL_API=3; returns the exit code.
    int etcdctl(const std::vector<std::string>& args, std::string* output = nullptr) const;

    /** The value of a Prometheus counter from `/metrics` (summed over its
     *  label sets), read with curl; -1 when absent. */
    double metric(const std::string& name) const;

private:
    void launch();
    etcd_options options_;
    std::unique_ptr<temp_dir> dir_;
    unsigned short client_port_ = 0;
    unsigned short peer_port_ = 0;
    child proc_;
};

} // namespace pgwarden::test
