// An asynchronous libpq connection on Asio: PQconnectStartParams/
// PQconnectPoll and PQsendQuery driven by readiness of PQsocket, so the
// io_context never blocks. Every operation takes a timeout; on timeout the
// connection is closed (the server notices and cancels the statement;
// libpq < 17 has no non-blocking cancel).
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/result.hpp>
#include <pgwarden/core/task.hpp>
#include <pgwarden/pg/error.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;

namespace pgwarden::pg::libpq {

/// Rows of text values (NULL = nullopt) with their column names.
struct query_result {
    std::vector<std::string> columns;
    std::vector<std::vector<std::optional<std::string>>> rows;

    /// The value at (row, column name); nullopt if NULL or no such column.
    PGWARDEN_DECL std::optional<std::string> get(std::size_t row, std::string_view column) const;
};

/// How the server answered a failed connection attempt (PQping semantics).
enum class ping_status { ok, rejecting, no_response };

class connection {
public:
    connection() = default;
    connection(connection&& o) noexcept;
    connection& operator=(connection&& o) noexcept;
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection();

    /** Connects with libpq keyword/value parameters (no dbname expansion).
     *  Returns error::connect_failed (last_error() has libpq's text) or
     *  error::timeout.
     */
    [[nodiscard]] PGWARDEN_DECL task<result<void>> connect(std::map<std::string, std::string> params,
                                                           std::chrono::milliseconds timeout);

    /** Runs one or more statements (simple protocol); returns the last
     *  result set. Returns error::query_failed (sqlstate()/last_error() set),
     *  error::connect_failed when the connection broke, error::timeout (the
     *  connection is then closed).
     */
    [[nodiscard]] PGWARDEN_DECL task<result<query_result>> query(std::string sql,
                                                                 std::chrono::milliseconds timeout);

    bool is_open() const noexcept;
    PGWARDEN_DECL void close() noexcept;
    const std::string& last_error() const noexcept { return error_; }
    const std::string& sqlstate() const noexcept { return sqlstate_; }
    /// After a failed connect(): did a server answer (PQping semantics)?
    ping_status ping() const noexcept { return ping_; }
    /// server_version_num of the connected server, 0 if not connected.
    PGWARDEN_DECL int server_version() const noexcept;

private:
    PGWARDEN_DECL error_code fail_connect(pgwarden::pg::error e);
    PGWARDEN_DECL error_code fail_query(pgwarden::pg::error e);

    pg_conn* conn_ = nullptr;
    std::string error_;
    std::string sqlstate_;
    ping_status ping_ = ping_status::no_response;
};

/// Quotes a string literal for SQL ('…' with ' doubled; E'' when it has backslashes).
PGWARDEN_DECL std::string quote_literal(std::string_view s);
/// Quotes an identifier ("…" with " doubled).
PGWARDEN_DECL std::string quote_ident(std::string_view s);

} // namespace pgwarden::pg::libpq

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/pg/libpq/impl/connection.ipp>
#endif
