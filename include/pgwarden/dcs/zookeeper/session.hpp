// A ZooKeeper session over one TCP connection: handshake, pings, pipelined
// requests matched by xid, watch notifications, expiry detection.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/task.hpp>
#include <pgwarden/dcs/zookeeper/error.hpp>
#include <pgwarden/dcs/zookeeper/jute.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::dcs::zookeeper {

struct session_options {
    /// An IP address literal (no name resolution); tests use 127.0.0.1.
    std::string host = "127.0.0.1";
    unsigned short port = 2181;
    /// Requested session timeout; the server clamps it to [2, 20] ticks.
    std::chrono::milliseconds session_timeout{30000};
    /// Budget for TCP connect plus handshake.
    std::chrono::milliseconds connect_timeout{5000};
    /// Largest incoming frame accepted; a bigger one drops the connection.
    std::size_t max_frame = jute::default_max_frame;
};

/// Where the session stands (what the last state change reported).
enum class session_state {
    idle,           ///< never connected, or closed: connect() starts a new session
    connected,
    disconnected,   ///< the connection dropped; connect() tries to resume the session
    expired,        ///< the server said the session is gone; connect() starts a new one
};

/// A node's data and metadata (getData reply).
struct node {
    std::string data;
    jute::stat stat;
};

/// A watch notification (type != none) or a state change of the session
/// (type == none; state disconnected, sync_connected, expired or closed).
struct session_event {
    jute::event_type type = jute::event_type::none;
    jute::keeper_state state = jute::keeper_state::sync_connected;
    std::string path;
};

namespace detail {
struct session_impl;
}

/** One ZooKeeper session.
 *
 *  Everything runs on the executor given at construction (one io_context,
 *  no threads). Requests may overlap: each is written in order and its reply
 *  found by xid. A request issued while not connected fails at once with
 *  error::not_connected (Patroni's kazoo settings: no queueing while
 *  reconnecting). When the connection drops, every outstanding request fails
 *  with error::connection_loss and a `disconnected` event is queued; the
 *  session itself may still be alive on the server: connect() resumes it,
 *  or reports error::session_expired (and queues an `expired` event) when
 *  the server has dropped it, after which connect() starts a new session.
 *
 *  A ping is sent every third of the negotiated timeout; if nothing at all
 *  is received for two thirds of it the connection is considered dead.
 *
 *  Watches are one-shot, as in ZooKeeper; they are not re-registered after a
 *  reconnect (callers re-read and re-arm).
 *
 *  Errors from the server come back as the error of that name (no_node,
 *  node_exists, bad_version, ...), mapped to pgwarden::condition.
 */
class session {
public:
    PGWARDEN_DECL session(boost::asio::any_io_executor ex, session_options options);
    PGWARDEN_DECL ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    /** Connects and performs the handshake: a new session, or the resumption
     *  of the current one after a disconnect. error::session_expired if the
     *  server no longer knows it; error::connection_loss if the endpoint does
     *  not answer within connect_timeout. */
    [[nodiscard]] PGWARDEN_DECL task<result<void>> connect();

    /// Ends the session on the server (its ephemeral nodes vanish) and disconnects.
    [[nodiscard]] PGWARDEN_DECL task<result<void>> close();

    /// Drops the TCP connection without closing the session (tests, and
    /// callers that want to switch servers).
    PGWARDEN_DECL void drop_connection();

    [[nodiscard]] PGWARDEN_DECL session_state state() const noexcept;
    /// The server's session id (0 before the first handshake).
    [[nodiscard]] PGWARDEN_DECL std::int64_t session_id() const noexcept;
    /// The negotiated session timeout.
    [[nodiscard]] PGWARDEN_DECL std::chrono::milliseconds timeout() const noexcept;
    /// The largest zxid seen in a reply.
    [[nodiscard]] PGWARDEN_DECL std::int64_t last_zxid() const noexcept;

    /// Creates `path`; returns the created path (differs for sequential nodes).
    [[nodiscard]] PGWARDEN_DECL task<result<std::string>> create(
        std::string path, std::string data, jute::create_mode mode = jute::create_mode::persistent,
        std::vector<jute::acl> acls = jute::open_acl_unsafe());
    /// Deletes `path` if its version is `version` (-1: any).
    [[nodiscard]] PGWARDEN_DECL task<result<void>> remove(std::string path, std::int32_t version = -1);
    /// The node's stat, or nullopt if absent (a watch is set either way when asked).
    [[nodiscard]] PGWARDEN_DECL task<result<std::optional<jute::stat>>> exists(std::string path, bool watch = false);
    [[nodiscard]] PGWARDEN_DECL task<result<node>> get(std::string path, bool watch = false);
    /// Sets the data if the version is `version` (-1: any); returns the new stat.
    [[nodiscard]] PGWARDEN_DECL task<result<jute::stat>> set(std::string path, std::string data,
                                                           std::int32_t version = -1);
    [[nodiscard]] PGWARDEN_DECL task<result<jute::children_response>> get_children(std::string path,
                                                                                 bool watch = false);

    /** The next queued event, waiting up to `timeout` for one;
     *  pgwarden::error::timeout if none came. */
    [[nodiscard]] PGWARDEN_DECL task<result<session_event>> next_event(std::chrono::milliseconds timeout);
    /// Events queued and not yet taken.
    [[nodiscard]] PGWARDEN_DECL std::size_t queued_events() const noexcept;

private:
    std::shared_ptr<detail::session_impl> impl_;
};

} // namespace pgwarden::dcs::zookeeper

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/dcs/zookeeper/impl/session.ipp>
#endif
