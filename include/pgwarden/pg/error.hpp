// Errors of the PostgreSQL controller (STYLE.md 6.2). Callers branch on
// pgwarden::condition; the codes here say what went wrong in the log.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/error.hpp>

#include <type_traits>

namespace pgwarden::pg {

/** What a controller operation can fail with.
 *
 *  Mapping to pgwarden::condition: not_running, connect_failed -> unavailable;
 *  timeout -> timeout; source_not_ready -> unavailable (retry later); bad_output -> invalid_response; invalid_option ->
 *  invalid_argument; no_data_dir -> not_found. The rest (a command or
 *  PostgreSQL itself failed) map to no condition: the HA loop treats them as
 *  "the action failed".
 */
enum class error {
    not_running = 1,      ///< the postmaster is not running
    connect_failed,       ///< libpq could not connect
    query_failed,         ///< the server answered a statement with an error
    timeout,              ///< the operation's deadline passed
    spawn_failed,         ///< posix_spawn or pidfd_open failed
    command_failed,       ///< a child (initdb, pg_basebackup, ...) exited non-zero
    start_failed,         ///< the postmaster exited during start-up
    stop_failed,          ///< the postmaster did not exit, even after SIGKILL
    crashed,              ///< the postmaster exited without being asked to
    bad_output,           ///< pg_controldata or a query returned something unparsable
    invalid_option,       ///< a forbidden initdb/basebackup/rewind option
    no_data_dir,          ///< the data directory is missing or empty
    data_dir_not_empty,   ///< bootstrap/clone refused: data would be overwritten
    rewind_not_possible,  ///< use_pg_rewind off, or neither wal_log_hints nor checksums
    busy,                 ///< another long action is running
    io_failed,            ///< writing a configuration file failed
    source_not_ready,     ///< the rewind/copy source has no post-promotion checkpoint yet, or is in recovery
};

PGWARDEN_DECL const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

} // namespace pgwarden::pg

template <>
struct boost::system::is_error_code_enum<pgwarden::pg::error> : std::true_type {};

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/pg/impl/error.ipp>
#endif
