// Shared helpers of the pg integration tests: run a controller coroutine to
// completion on a private io_context, and a test configuration (postgres
// user, free port, fsync off, small shared_buffers, trust pg_hba).
#pragma once
#include <pgwarden/pg/error.hpp>
#include <pgwarden/pg/libpq_controller.hpp>

#include "support/postgres.hpp"
#include "support/process.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>

namespace pgwarden::test {

/// Runs `t` on `io` until it completes and returns its value.
template <class T>
T sync_run(boost::asio::io_context& io, pgwarden::task<T> t)
{
    std::optional<T> out;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, std::move(t), [&](std::exception_ptr e, T v) {
        failure = e;
        if (!e) out.emplace(std::move(v));
    });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*out);
}

inline void sync_run(boost::asio::io_context& io, pgwarden::task<void> t)
{
    std::exception_ptr failure;
    boost::asio::co_spawn(io, std::move(t), [&](std::exception_ptr e) { failure = e; });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
}

/// A configuration for member `name` under `root` (owned by postgres).
inline pg::controller_config test_config(const temp_dir& root, const std::string& name, unsigned short port)
{
    pg::controller_config c;
    c.scope = "itest";
    c.name = name;
    c.data_dir = root / name;
    c.bin_dir = pg_bin_dir();
    c.listen = "127.0.0.1:" + std::to_string(port);
    c.connect_address = "127.0.0.1:" + std::to_string(port);
    c.run_as = pg_os_user;
    c.superuser = {"postgres", std::nullopt, {}};
    c.replication = {"replicator", std::string("rep-pass"), {}};
    c.parameters = {{"fsync", "off"}, {"shared_buffers", "16MB"}, {"unix_socket_directories", root.path()},
                    {"max_connections", "30"}, {"synchronous_commit", "local"}};
    c.pg_hba = {"local all all trust", "host all all 127.0.0.1/32 trust",
                "host replication all 127.0.0.1/32 trust"};
    c.pg_ctl_timeout = std::chrono::seconds(30);
    c.basebackup_retry_delay = std::chrono::milliseconds(200);
    c.postmaster_log = root / (name + ".log");   // the default (inherit) would flood the test output
    return c;
}

/// The conn_url a member publishes.
inline std::string conn_url(unsigned short port) { return "postgres://127.0.0.1:" + std::to_string(port) + "/postgres"; }

} // namespace pgwarden::test
