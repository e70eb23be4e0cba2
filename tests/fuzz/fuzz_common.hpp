// Shared by the dcs codec fuzz targets (one per codec, *_fuzz.cpp).
// Each target feeds the input to the strict decoder and the lenient reader of
// one codec; neither may crash, throw or leak. When the strict decoder
// accepts the input, the encoder's output must decode again and re-encode to
// the same bytes (encode is a fixed point after one round), and every strict
// error message must name the key.
#pragma once
#include <pgwarden/dcs/codec.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#define PGWARDEN_FUZZ_CHECK(cond)                                                        \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                \
        }                                                                                \
    } while (false)

namespace pgwarden::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) noexcept
{
    return {reinterpret_cast<const char*>(data), size};
}

/// True if the JSON text holds a floating-point number anywhere. Boost.JSON
/// 1.81 parses doubles with a fast algorithm that is not always correctly
/// rounded (and integers past 64 bits become doubles), so such text need not
/// be a fixed point of decode/encode; it must still decode.
inline bool has_double(const boost::json::value& v)
{
    if (v.is_double()) return true;
    if (v.is_array())
        for (const auto& e : v.get_array())
            if (has_double(e)) return true;
    if (v.is_object())
        for (const auto& kv : v.get_object())
            if (has_double(kv.value())) return true;
    return false;
}

inline bool has_double(std::string_view json_text)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(json_text, ec);
    return !ec && has_double(v);
}

/// Strict decode; on success, checks that encode is a fixed point after one
/// decode/encode round; on failure, that the message names `key`.
template <class Decode, class Encode>
void check_round_trip(std::string_view key, std::string_view text, Decode decode, Encode encode)
{
    std::string why;
    auto first = decode(key, text, &why);
    if (!first) {
        PGWARDEN_FUZZ_CHECK(why.find(key) != std::string::npos);
        return;
    }
    const std::string once = encode(*first);
    auto second = decode(key, once, &why);
    PGWARDEN_FUZZ_CHECK(second.has_value());
    PGWARDEN_FUZZ_CHECK(encode(*second) == once || has_double(once));
}

} // namespace pgwarden::fuzz
