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

class etcd_server {
public:
    /// Starts etcd and waits until it serves /version; throws std::runtime_error if it does not.
    etcd_server();
    etcd_server(const etcd_server&) = delete;
    etcd_server& operator=(const etcd_server&) = delete;
    ~etcd_server();

    unsigned short client_port() const noexcept { return client_port_; }
    /// `http://127.0.0.1:<port>`
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

private:
    void launch();
    std::unique_ptr<temp_dir> dir_;
    unsigned short client_port_ = 0;
    unsigned short peer_port_ = 0;
    child proc_;
};

} // namespace pgwarden::test
