// pgwarden-write-gap: how long a cluster refuses writes during a switchover
// or failover, seen by a client (the brief's "switchover write gap").
//
//   pgwarden-write-gap CONNINFO SECONDS
//
// CONNINFO names every member (libpq multi-host, e.g. "host=127.0.0.1,
// 127.0.0.1 port=5432,5433 ... target_session_attrs=read-write"). The probe
// commits one tiny INSERT after another for SECONDS; when a statement or the
// connection fails it reconnects at once (every 5 ms while nothing accepts),
// landing on whichever member is writable. It prints the number of commits
// and the longest interval between two consecutive successful commits: the
// write gap. Blocking libpq, one connection: a benchmark, not the daemon.
#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

namespace {

using clock_type = std::chrono::steady_clock;

bool ok_command(PGconn* c, const char* sql)
{
    PGresult* r = PQexec(c, sql);
    const bool ok = r != nullptr && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: pgwarden-write-gap CONNINFO SECONDS\n");
        return 2;
    }
    const std::string conninfo = argv[1];
    const auto duration = std::chrono::duration<double>(std::atof(argv[2]));
    const auto start = clock_type::now();
    const auto deadline = start + std::chrono::duration_cast<clock_type::duration>(duration);

    PGconn* conn = nullptr;
    long commits = 0, reconnects = 0;
    std::optional<clock_type::time_point> last;
    clock_type::duration worst{0};
    clock_type::time_point worst_at{};
    bool table_ready = false;
    while (clock_type::now() < deadline) {
        if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
            if (conn) PQfinish(conn);
            conn = PQconnectdb(conninfo.c_str());
            ++reconnects;
            if (PQstatus(conn) != CONNECTION_OK) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                continue;
            }
            if (!table_ready)
                table_ready = ok_command(conn, "CREATE TABLE IF NOT EXISTS pgwarden_write_gap (t timestamptz)");
        }
        if (!ok_command(conn, "INSERT INTO pgwarden_write_gap VALUES (now())")) {
            PQfinish(conn);   // read-only now, or the server went away: find the writable member
            conn = nullptr;
            continue;
        }
        const auto now = clock_type::now();
        if (last && now - *last > worst) {
            worst = now - *last;
            worst_at = *last;
        }
        last = now;
        ++commits;
    }
    if (conn) PQfinish(conn);
    using ms = std::chrono::duration<double, std::milli>;
    std::printf("commits=%ld reconnects=%ld\n", commits, reconnects - 1);
    std::printf("write gap: %.1f ms (starting %.2f s into the run)\n", ms(worst).count(),
                std::chrono::duration<double>(worst_at - start).count());
    return commits > 0 ? 0 : 1;
}
