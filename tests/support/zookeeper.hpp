// A real ZooKeeper (standalone, Debian package `zookeeper`) for integration
// tests: started on a free 127.0.0.1 port in a temporary directory with its
// own zoo.cfg, stopped by PID (never by name).
#pragma once
#include "support/process.hpp"

#include <memory>
#include <string>

namespace pgwarden::test {

/// True when java and /usr/share/java/zookeeper.jar exist.
bool zookeeper_available();

struct zookeeper_options {
    /// tickTime in ms; sessions are clamped to [2, 20] ticks.
    int tick_ms = 200;
};

class zookeeper_server {
public:
    /// Starts ZooKeeper and waits until it serves requests (`srvr` shows a mode); throws std::runtime_error if it does not.
    zookeeper_server();
    explicit zookeeper_server(zookeeper_options options);
    zookeeper_server(const zookeeper_server&) = delete;
    zookeeper_server& operator=(const zookeeper_server&) = delete;
    ~zookeeper_server();

    unsigned short port() const noexcept { return port_; }
    /// `127.0.0.1:<port>`
    std::string host_port() const;

    /// SIGSTOP / SIGCONT: a server that accepts connections but never answers.
    void pause();
    void resume();
    /// Kills it (SIGKILL) and starts it again on the same port and data directory.
    void restart();

    /// Sends a four-letter command ("ruok", "srvr", ...) and returns the answer ("" on failure).
    std::string four_letter(const std::string& cmd) const;

private:
    void launch();
    zookeeper_options options_;
    std::unique_ptr<temp_dir> dir_;
    unsigned short port_ = 0;
    child proc_;
};

} // namespace pgwarden::test
