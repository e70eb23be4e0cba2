// ZooKeeper's binary protocol ("jute"): pure encoders and decoders.
//
// Every message travels in a frame: a big-endian int32 length, then that
// many bytes. Integers are big-endian two's complement, a bool is one byte,
// a buffer or string is an int32 length (-1 = null) followed by the bytes,
// a vector is an int32 count (-1 = null) followed by the elements.
// Requests start with {xid, type}; replies with {xid, zxid, err}. The first
// exchange of a connection has no header (ConnectRequest/ConnectResponse).
//
// Nothing here does I/O; every decoder checks each length against the bytes
// that remain, so a truncated or hostile frame is an error, never a crash or
// a huge allocation.
//
// @see zookeeper-jute/src/main/resources/zookeeper.jute (apache/zookeeper)
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/result.hpp>
#include <pgwarden/dcs/zookeeper/error.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgwarden::dcs::zookeeper::jute {

/// Request types (ZooDefs.OpCode).
enum class op : std::int32_t {
    notification = 0,
    create = 1,
    remove = 2,   // "delete"
    exists = 3,
    get_data = 4,
    set_data = 5,
    get_children = 8,
    sync = 9,
    ping = 11,
    get_children2 = 12,
    check = 13,
    multi = 14,
    create2 = 15,
    auth = 100,
    set_watches = 101,
    close_session = -11,
};

/// Reserved xids of the protocol.
inline constexpr std::int32_t notification_xid = -1;
inline constexpr std::int32_t ping_xid = -2;
inline constexpr std::int32_t auth_xid = -4;
inline constexpr std::int32_t set_watches_xid = -8;

/// Largest frame accepted by default: ZooKeeper's jute.maxbuffer (0xfffff)
/// plus room for headers, as the Java client allows.
inline constexpr std::size_t default_max_frame = 0xfffff + 1024;

/// Create modes (CreateMode.toFlag()).
enum class create_mode : std::int32_t {
    persistent = 0,
    ephemeral = 1,
    persistent_sequential = 2,
    ephemeral_sequential = 3,
};

/// Watcher.Event.EventType.
enum class event_type : std::int32_t {
    none = -1,
    node_created = 1,
    node_deleted = 2,
    node_data_changed = 3,
    node_children_changed = 4,
};

/// Watcher.Event.KeeperState (the values that travel or that we report).
enum class keeper_state : std::int32_t {
    disconnected = 0,
    sync_connected = 3,
    auth_failed = 4,
    connected_read_only = 5,
    expired = -112,
    closed = 7,
};

/// Permission bits (ZooDefs.Perms).
namespace perms {
inline constexpr std::int32_t read = 1, write = 2, create = 4, remove = 8, admin = 16, all = 31;
}

struct acl {
    std::int32_t perms = perms::all;
    std::string scheme = "world";
    std::string id = "anyone";
    friend bool operator==(const acl&, const acl&) = default;
};

/// ZooDefs.Ids.OPEN_ACL_UNSAFE: world:anyone with every permission.
PGWARDEN_DECL const std::vector<acl>& open_acl_unsafe();

/// The metadata of a node (data.Stat): 68 bytes on the wire.
struct stat {
    std::int64_t czxid = 0;
    std::int64_t mzxid = 0;
    std::int64_t ctime = 0;   ///< ms since the epoch
    std::int64_t mtime = 0;
    std::int32_t version = 0;
    std::int32_t cversion = 0;
    std::int32_t aversion = 0;
    std::int64_t ephemeral_owner = 0;   ///< session id, 0 for persistent nodes
    std::int32_t data_length = 0;
    std::int32_t num_children = 0;
    std::int64_t pzxid = 0;
    friend bool operator==(const stat&, const stat&) = default;
};
inline constexpr std::size_t stat_size = 68;

struct connect_request {
    std::int32_t protocol_version = 0;
    std::int64_t last_zxid_seen = 0;
    std::int32_t timeout_ms = 0;
    std::int64_t session_id = 0;
    std::string passwd = std::string(16, '\0');
    bool read_only = false;
    friend bool operator==(const connect_request&, const connect_request&) = default;
};

/// The server's answer; timeout_ms <= 0 means the session we asked to resume expired.
struct connect_response {
    std::int32_t protocol_version = 0;
    std::int32_t timeout_ms = 0;
    std::int64_t session_id = 0;
    std::string passwd;
    bool read_only = false;   ///< absent on old servers: false
    friend bool operator==(const connect_response&, const connect_response&) = default;
};

struct reply_header {
    std::int32_t xid = 0;
    std::int64_t zxid = 0;
    std::int32_t err = 0;
    friend bool operator==(const reply_header&, const reply_header&) = default;
};

/// A reply split into its header and the undecoded body that follows.
struct reply {
    reply_header header;
    std::string_view body;
};

struct watcher_event {
    event_type type = event_type::none;
    keeper_state state = keeper_state::sync_connected;
    std::string path;
    friend bool operator==(const watcher_event&, const watcher_event&) = default;
};

struct data_response {
    std::string data;
    jute::stat stat;
};

struct children_response {
    std::vector<std::string> children;
    jute::stat stat;
};

/** Appends big-endian primitives to a byte string. */
class writer {
public:
    void int32(std::int32_t v);
    void int64(std::int64_t v);
    void boolean(bool v) { out_.push_back(v ? '\1' : '\0'); }
    /// A buffer or string (int32 length + bytes); nullopt is written as length -1.
    void buffer(std::optional<std::string_view> v);
    void acls(const std::vector<acl>& v);
    void stat(const jute::stat& s);
    std::string& bytes() noexcept { return out_; }

private:
    std::string out_;
};

/** Reads big-endian primitives; after the first short read or bad length
 *  every read returns a default value and ok() stays false. */
class reader {
public:
    explicit reader(std::string_view in) noexcept : in_(in) {}
    std::int32_t int32() noexcept;
    std::int64_t int64() noexcept;
    bool boolean() noexcept;
    /// A buffer or string; a null (-1) buffer reads as empty.
    std::string buffer();
    std::vector<std::string> strings();
    jute::stat stat() noexcept;
    bool ok() const noexcept { return ok_; }
    std::size_t remaining() const noexcept { return in_.size() - pos_; }
    std::string_view rest() const noexcept { return in_.substr(pos_); }

private:
    bool take(std::size_t n) noexcept;
    std::string_view in_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

/// Prefixes `payload` with its big-endian int32 length.
[[nodiscard]] PGWARDEN_DECL std::string frame(std::string_view payload);

/** Splits the first complete frame off `buffer`. Returns its payload and sets
 *  `consumed` to the bytes used; nullopt if more bytes are needed;
 *  error::frame_too_large if the length exceeds `max_frame`,
 *  error::malformed_frame if it is negative. */
[[nodiscard]] PGWARDEN_DECL result<std::optional<std::string_view>> split_frame(
    std::string_view buffer, std::size_t& consumed, std::size_t max_frame = default_max_frame);

/// Checks a length prefix read alone (4 bytes): the payload size, or an error.
[[nodiscard]] PGWARDEN_DECL result<std::size_t> frame_length(std::string_view prefix,
                                                             std::size_t max_frame = default_max_frame);

// Encoders: each returns a complete frame (length prefix included).
[[nodiscard]] PGWARDEN_DECL std::string encode(const connect_request& r);
[[nodiscard]] PGWARDEN_DECL std::string encode_create(std::int32_t xid, std::string_view path, std::string_view data,
                                                      const std::vector<acl>& acls, create_mode mode);
[[nodiscard]] PGWARDEN_DECL std::string encode_delete(std::int32_t xid, std::string_view path, std::int32_t version);
[[nodiscard]] PGWARDEN_DECL std::string encode_exists(std::int32_t xid, std::string_view path, bool watch);
[[nodiscard]] PGWARDEN_DECL std::string encode_get_data(std::int32_t xid, std::string_view path, bool watch);
[[nodiscard]] PGWARDEN_DECL std::string encode_set_data(std::int32_t xid, std::string_view path, std::string_view data,
                                                        std::int32_t version);
[[nodiscard]] PGWARDEN_DECL std::string encode_get_children2(std::int32_t xid, std::string_view path, bool watch);
[[nodiscard]] PGWARDEN_DECL std::string encode_ping();
[[nodiscard]] PGWARDEN_DECL std::string encode_close(std::int32_t xid);

// Decoders of frame payloads (no length prefix). Trailing bytes after a
// complete record are tolerated (newer servers append fields).
[[nodiscard]] PGWARDEN_DECL result<connect_request> decode_connect_request(std::string_view payload);
[[nodiscard]] PGWARDEN_DECL result<connect_response> decode_connect_response(std::string_view payload);
[[nodiscard]] PGWARDEN_DECL std::string encode(const connect_response& r);   ///< for fake servers and tests
[[nodiscard]] PGWARDEN_DECL result<reply> decode_reply(std::string_view payload);
[[nodiscard]] PGWARDEN_DECL std::string encode_reply(const reply_header& h, std::string_view body);   ///< framed
[[nodiscard]] PGWARDEN_DECL result<watcher_event> decode_watcher_event(std::string_view body);
[[nodiscard]] PGWARDEN_DECL std::string encode_watcher_event(const watcher_event& e);   ///< body only
[[nodiscard]] PGWARDEN_DECL result<std::string> decode_create_response(std::string_view body);
[[nodiscard]] PGWARDEN_DECL result<jute::stat> decode_stat_response(std::string_view body);
[[nodiscard]] PGWARDEN_DECL result<data_response> decode_get_data_response(std::string_view body);
[[nodiscard]] PGWARDEN_DECL result<children_response> decode_get_children2_response(std::string_view body);

} // namespace pgwarden::dcs::zookeeper::jute

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/dcs/zookeeper/impl/jute.ipp>
#endif
