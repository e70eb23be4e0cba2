// The PostgreSQL policy (STYLE.md 2): probe is a value snapshot, commands are
// idempotent, timeouts are enforced inside.
#pragma once
#include <pgwarden/core/task.hpp>
#include <pgwarden/pg/model.hpp>

#include <concepts>

namespace pgwarden::pg {

/** Requirements:
 *  1. `probe()` never changes PostgreSQL; it returns what it sees now;
 *  2. every command is idempotent: start on a running server, stop on a
 *     stopped one, promote on a primary succeed without doing anything;
 *  3. each command completes within its configured timeout, with
 *     condition::timeout otherwise.
 */
template <class P>
concept controller = requires(P& p, start_role r, stop_mode m, const follow_target& f,
                              const sync_names& n) {
    { p.probe() } -> std::same_as<task<result<local_pg_state>>>;
    { p.start(r) } -> std::same_as<task<result<void>>>;
    { p.stop(m) } -> std::same_as<task<result<void>>>;
    { p.promote() } -> std::same_as<task<result<void>>>;
    { p.follow(f) } -> std::same_as<task<result<void>>>;
    { p.rewind(f) } -> std::same_as<task<result<void>>>;
    { p.set_sync_standbys(n) } -> std::same_as<task<result<void>>>;
};

} // namespace pgwarden::pg
