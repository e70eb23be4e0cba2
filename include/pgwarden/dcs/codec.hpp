// JSON codecs for every value Patroni keeps in the DCS (../shared/spec/dcs.md
// 2), and the backend-independent snapshot builder (dcs.md 3.1).
//
// Three kinds of function:
//  - decode_*: strict. Any type mismatch is an error whose message names the
//    key and the field ("members/node1: field 'timeline': expected integer,
//    got string"). For tools, tests and the REST API, where a bad value should
//    be reported rather than guessed at.
//  - read_*: lenient, exactly as Patroni's readers are (dcs.md 2.10). They
//    never fail: a bad value gives the documented default, a bad field is
//    dropped, and each problem is appended to `warnings` for the log. The
//    snapshot builder uses these.
//  - encode_*: write exactly what Patroni 4.1 writes (compact JSON, Patroni's
//    field order, Python's ASCII escaping, `primary` for `master`).
//
// Heavy includes (Boost.JSON) stay in impl/codec.ipp; only the forward
// declarations of <boost/json/fwd.hpp> appear here.
#pragma once
#include <pgwarden/core/config.hpp>
#include <pgwarden/core/error.hpp>
#include <pgwarden/core/result.hpp>
#include <pgwarden/dcs/model.hpp>

#include <boost/json/fwd.hpp>
#include <boost/system/error_category.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace pgwarden::dcs {

/// Errors of the strict decoders. All map to condition::invalid_response.
enum class codec_error {
    invalid_json = 1,  ///< the text is not JSON (or not the plain format expected)
    wrong_type,        ///< the value or a field has the wrong JSON type
    invalid_value,     ///< the type is right but the content is not (negative LSN, bad sysid, ...)
};

PGWARDEN_DECL const boost::system::error_category& codec_category() noexcept;

inline boost::system::error_code make_error_code(codec_error e) noexcept
{
    return {static_cast<int>(e), codec_category()};
}

/// Problems found by the lenient readers; each names the key and the field.
using codec_warnings = std::vector<std::string>;

// ---------------------------------------------------------------------------
// Strict decoders. `key` is the relative key (`members/node1`, `sync`, ...),
// used in messages only. On error, `*why` (if given) receives the message.

/** Decodes `members/<name>` (dcs.md 2.2), including the legacy
 *  `postgres://...?application_name=<api_url>` form (2.2.4). `master` is read
 *  as `primary`; a missing `state` as `unknown`; LSNs and the timeline may be
 *  integers or decimal strings (LSNs also `X/Y`). Fields we do not know are
 *  kept in `extra`. Returns codec_error::invalid_json when the text is not
 *  JSON, wrong_type when it is not an object or a field has the wrong type,
 *  invalid_value for a negative or out-of-range number.
 */
[[nodiscard]] PGWARDEN_DECL result<member_data> decode_member(std::string_view key, std::string_view text,
                                                              std::string* why = nullptr);

/// Decodes `sync` (dcs.md 2.5); `quorum` may be an integer or a decimal string.
[[nodiscard]] PGWARDEN_DECL result<sync_record> decode_sync(std::string_view key, std::string_view text,
                                                            std::string* why = nullptr);

/** Decodes `failover` (dcs.md 2.6). Every accepted form succeeds: a JSON object,
 *  any other JSON value (=> empty), and the legacy non-JSON `leader[:member]`.
 *  Returns wrong_type only for an object field that is not a string or null.
 */
[[nodiscard]] PGWARDEN_DECL result<failover_record> decode_failover(std::string_view key, std::string_view text,
                                                                    std::string* why = nullptr);

/// Decodes `history` (dcs.md 2.7): an array of 3-, 4- or 5-element lines.
[[nodiscard]] PGWARDEN_DECL result<history_record> decode_history(std::string_view key, std::string_view text,
                                                                  std::string* why = nullptr);

/** Decodes `status` (dcs.md 2.8): an object, or a bare integer (legacy optime).
 *  `slots` / `retain_slots` may be JSON strings that contain the JSON.
 */
[[nodiscard]] PGWARDEN_DECL result<status_record> decode_status(std::string_view key, std::string_view text,
                                                                std::string* why = nullptr);

/// Decodes `failsafe` (dcs.md 2.9): an object of member name -> api_url.
[[nodiscard]] PGWARDEN_DECL result<failsafe_record> decode_failsafe(std::string_view key, std::string_view text,
                                                                    std::string* why = nullptr);

/// Checks that `config` is a JSON object and keeps the raw text (dcs.md 2.3).
[[nodiscard]] PGWARDEN_DECL result<config_record> decode_config(std::string_view key, std::string_view text,
                                                                std::string* why = nullptr);

/// Decodes `optime/leader`: a decimal integer string.
[[nodiscard]] PGWARDEN_DECL result<lsn> decode_legacy_optime(std::string_view key, std::string_view text,
                                                             std::string* why = nullptr);

/** Parses a JSON text into an object, e.g. the raw `config_record::json`.
 *  Returns invalid_json / wrong_type (with `*why`) when it is not an object.
 *  The caller includes <boost/json/object.hpp> to use the value.
 */
[[nodiscard]] PGWARDEN_DECL result<boost::json::object> parse_json_object(std::string_view key, std::string_view text,
                                                                          std::string* why = nullptr);

// ---------------------------------------------------------------------------
// Lenient readers (dcs.md 2.10). Never fail; problems go to `warnings`.

/// Parse failure or non-object => data with only `state = "unknown"`; a bad
/// field is dropped.
[[nodiscard]] PGWARDEN_DECL member_data read_member(std::string_view key, std::string_view text,
                                                   codec_warnings& warnings);
/// Parse failure, non-object, non-string leader or a bad quorum => empty.
[[nodiscard]] PGWARDEN_DECL sync_record read_sync(std::string_view key, std::string_view text,
                                                  codec_warnings& warnings);
/// Never loses a well-formed field; non-string fields are dropped.
[[nodiscard]] PGWARDEN_DECL failover_record read_failover(std::string_view key, std::string_view text,
                                                          codec_warnings& warnings);
/// `parsed` is false (cluster timeline 0) unless the value is a non-empty
/// array whose last line starts with an integer, or exactly `[]`.
[[nodiscard]] PGWARDEN_DECL history_record read_history(std::string_view key, std::string_view text,
                                                        codec_warnings& warnings);
/// Parse failure => optime 0 and no slots; non-integer slot LSNs => 0.
[[nodiscard]] PGWARDEN_DECL status_record read_status(std::string_view key, std::string_view text,
                                                      codec_warnings& warnings);
/// Parse failure or non-object => nullopt (treated as absent).
[[nodiscard]] PGWARDEN_DECL std::optional<failsafe_record> read_failsafe(std::string_view key, std::string_view text,
                                                                         codec_warnings& warnings);
/// Not a JSON object => json `{}` and modify_version 0 (ignored for the
/// global configuration); otherwise the raw text and the given versions.
[[nodiscard]] PGWARDEN_DECL config_record read_config(std::string_view key, std::string_view text,
                                                      dcs_version version, dcs_version modify_version,
                                                      codec_warnings& warnings);

// ---------------------------------------------------------------------------
// Encoders: byte-for-byte what Patroni 4.1 writes.

/// Member JSON in Patroni's field order; `master` is written as `primary`,
/// empty optional fields are left out, `extra` is not written. Tag values are
/// re-serialized (one that is not JSON text is written as a JSON string);
/// `scheduled_restart` is written only if it is a JSON object.
[[nodiscard]] PGWARDEN_DECL std::string encode_member(const member_data& data);
/// `{"leader":…,"quorum":N,"sync_standby":"a,b"}`; names sorted and joined,
/// `null` when none; an empty leader is written as `null`, never `""`.
[[nodiscard]] PGWARDEN_DECL std::string encode_sync(const sync_record& sync);
/// Only the non-empty fields, in the order leader, member, scheduled_at; `{}` when empty.
[[nodiscard]] PGWARDEN_DECL std::string encode_failover(const failover_record& failover);
/// `[[tl,lsn,"reason","timestamp","leader"],…]`; a line has 3, 4 or 5 items.
[[nodiscard]] PGWARDEN_DECL std::string encode_history(const history_record& history);
/// `{"optime":N,"slots":{…},"retain_slots":[…]}`; empty slots/retain_slots
/// are left out; retain_slots are written sorted.
[[nodiscard]] PGWARDEN_DECL std::string encode_status(const status_record& status);
/// `{"name":"api_url",…}` in the record's order.
[[nodiscard]] PGWARDEN_DECL std::string encode_failsafe(const failsafe_record& failsafe);
/// `optime/leader`: the decimal byte position.
[[nodiscard]] PGWARDEN_DECL std::string encode_legacy_optime(lsn optime);

/** Serializes any JSON value as Python's `json.dumps(v, separators=(',', ':'))`
 *  does: compact, key order kept, non-ASCII and control characters escaped
 *  as lower-case `\uXXXX`, floats as Python's repr.
 */
[[nodiscard]] PGWARDEN_DECL std::string to_patroni_json(const boost::json::value& value);

/// Re-serializes a JSON text with to_patroni_json; nullopt if it is not JSON.
[[nodiscard]] PGWARDEN_DECL std::optional<std::string> normalize_json(std::string_view text);

// ---------------------------------------------------------------------------
// Tags (dcs.md 2.2.3) and small value helpers.

/// How readers interpret a member's tags.
struct member_tags {
    bool nofailover = false;
    std::int64_t failover_priority = 1;
    bool nosync = false;
    std::int64_t sync_priority = 1;
    bool noloadbalance = false;
    bool clonefrom = false;
    std::optional<std::string> replicatefrom;
    bool nostream = false;
};

/** Interprets tags as Patroni's readers do: `nofailover` is its truthiness if
 *  present, else `failover_priority <= 0`; `failover_priority` is 0 when
 *  `nofailover` is truthy, else its integer value (default 1); the same for
 *  `nosync` / `sync_priority`; `noloadbalance`, `clonefrom` truthiness;
 *  `nostream` a boolean parse (`on/true/yes/1`); `replicatefrom` a string.
 *  @see Patroni tags.Tags
 */
[[nodiscard]] PGWARDEN_DECL member_tags interpret_tags(const json_fields& tags);

/** The tags a node publishes from its configured tags: the boolean tags
 *  clonefrom, nofailover, noloadbalance, nosync, nostream are dropped when
 *  falsy, except nofailover when failover_priority is present and nosync when
 *  sync_priority is present. Custom tags are always kept. Order is kept.
 */
[[nodiscard]] PGWARDEN_DECL json_fields effective_tags(const json_fields& configured);

/// Python truthiness of a JSON text: false, null, 0, 0.0, "", [], {} and
/// unparsable text are false.
[[nodiscard]] PGWARDEN_DECL bool is_truthy_json(std::string_view json_text) noexcept;

/// A valid system identifier (dcs.md 2.4): at least 10 characters, all digits.
[[nodiscard]] PGWARDEN_DECL bool is_valid_sysid(std::string_view text) noexcept;

/// The conn_url and api_url of a legacy member value (dcs.md 2.2.4), as
/// Python's urlparse/parse_qsl give them; nullopt unless `text` starts with `postgres`.
[[nodiscard]] PGWARDEN_DECL std::optional<std::pair<std::string, std::string>>
parse_legacy_member_url(std::string_view text);

/// Parses a Patroni version "X.Y.Z" (any number of integer parts); nullopt if unparsable.
[[nodiscard]] PGWARDEN_DECL std::optional<std::vector<int>> parse_patroni_version(std::string_view text);

// ---------------------------------------------------------------------------
// The snapshot builder (dcs.md 3.1), shared by every backend.

/** Builds a cluster_snapshot from the keys of one read of the scope. `key` of
 *  each entry is relative to the base path (`leader`, `members/node1`, ...).
 *  Keys outside the key space, and `members/` entries whose name contains a
 *  further `/`, are ignored. Members are sorted by name. A leader key with an
 *  empty value gives no leader. The backend filters expired keys before.
 */
[[nodiscard]] PGWARDEN_DECL cluster_snapshot build_snapshot(std::span<const raw_entry> entries,
                                                            codec_warnings& warnings);

} // namespace pgwarden::dcs

template <>
struct boost::system::is_error_code_enum<pgwarden::dcs::codec_error> : std::true_type {};

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/dcs/impl/codec.ipp>
#endif
