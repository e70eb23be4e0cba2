#include "support/postgres.hpp"

#include <cstdlib>
#include <signal.h>

namespace pgwarden::test {

std::string pg_bin_dir()
{
    if (const char* d = std::getenv("PGWARDEN_PG_BIN_DIR")) return d;
    return "/usr/lib/postgresql/15/bin";
}

std::optional<std::string> psql(unsigned short port, const std::string& sql, const std::string& dbname,
                                const std::string& user, std::string* error)
{
    std::string out;
    spawn_options o;
    o.run_as = pg_os_user;
    o.env["PGCONNECT_TIMEOUT"] = "5";
    const int rc = run({pg_bin_dir() + "/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                        "-p", std::to_string(port), "-U", user, "-d", dbname, "-c", sql},
                       &out, o, std::chrono::seconds(60));
    if (rc != 0) {
        if (error) *error = out;
        return std::nullopt;
    }
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

pg_server::pg_server(const std::string& data_dir, unsigned short port) : data_dir_(data_dir), port_(port) {}

pg_server::~pg_server()
{
    if (postmaster_.pid() > 0 && postmaster_.running()) postmaster_.stop(SIGQUIT, std::chrono::seconds(10));
}

bool pg_server::initdb(std::string* output)
{
    spawn_options o;
    o.run_as = pg_os_user;
    return run({pg_bin_dir() + "/initdb", "-A", "trust", "-U", "postgres", "--no-sync", "-D", data_dir_}, output, o) == 0;
}

bool pg_server::start(std::chrono::milliseconds timeout)
{
    spawn_options o;
    o.run_as = pg_os_user;
    o.log_file = data_dir_ + ".log";
    postmaster_ = spawn({pg_bin_dir() + "/postgres", "-D", data_dir_, "-c", "port=" + std::to_string(port_), "-c",
                         "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "shared_buffers=16MB", "-c",
                         "unix_socket_directories=" + data_dir_},
                        o);
    return wait_until([&] { return psql(port_, "SELECT 1").has_value(); }, timeout, std::chrono::milliseconds(100));
}

void pg_server::stop(int sig)
{
    if (postmaster_.pid() > 0) postmaster_.stop(sig, std::chrono::seconds(30));
}

} // namespace pgwarden::test
