// PostgreSQL helpers for integration tests: a data-directory sandbox owned
// by the postgres user on a free port, psql to run SQL, and a standalone
// server (initdb + postgres) for tests that need one without a controller.
// Built on tests/support/process.hpp; runs every PostgreSQL binary as
// `postgres` because PostgreSQL refuses to run as root.
#pragma once
#include "support/process.hpp"

#include <optional>
#include <string>

namespace pgwarden::test {

/// /usr/lib/postgresql/15/bin unless PGWARDEN_PG_BIN_DIR says otherwise.
std::string pg_bin_dir();

/// The OS user that runs PostgreSQL in tests ("postgres").
inline const std::string pg_os_user = "postgres";

/** Runs SQL with psql on 127.0.0.1:port as `user` (trust auth assumed);
 *  returns the unaligned, tuples-only output without the final newline, or
 *  nullopt when psql failed (the output then goes to `error`).
 */
std::optional<std::string> psql(unsigned short port, const std::string& sql,
                                const std::string& dbname = "postgres", const std::string& user = "postgres",
                                std::string* error = nullptr);

/// A standalone server: initdb into dir/name, started with fast test settings.
class pg_server {
public:
    pg_server(const std::string& data_dir, unsigned short port);
    pg_server(const pg_server&) = delete;
    pg_server& operator=(const pg_server&) = delete;
    ~pg_server();   ///< immediate stop if still running

    bool initdb(std::string* output = nullptr);
    bool start(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    void stop(int sig = 2);
    unsigned short port() const noexcept { return port_; }
    const std::string& data_dir() const noexcept { return data_dir_; }

private:
    std::string data_dir_;
    unsigned short port_;
    child postmaster_;
};

} // namespace pgwarden::test
