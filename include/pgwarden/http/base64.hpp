// Base64 (RFC 4648, standard alphabet, padded): etcd v3 keys and values and
// HTTP basic authentication.
#pragma once
#include <pgwarden/core/config.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pgwarden::http {

/// Encodes bytes as padded standard base64.
[[nodiscard]] PGWARDEN_DECL std::string base64_encode(std::string_view bytes);

/** Decodes padded or unpadded standard base64. Returns nullopt when a
 *  character is outside the alphabet or the length is impossible. */
[[nodiscard]] PGWARDEN_DECL std::optional<std::string> base64_decode(std::string_view text);

} // namespace pgwarden::http

#ifdef PGWARDEN_HEADER_ONLY
#include <pgwarden/http/impl/base64.ipp>
#endif
