// libFuzzer target for the `config` codec, the legacy `optime/leader` value
// and the Python-compatible JSON writer: normalize_json output must parse,
// and be a fixed point after one round unless it holds doubles; decode_config
// must agree with parse_json_object.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace pgwarden;
    const auto text = fuzz::as_text(data, size);
    dcs::codec_warnings warnings;
    auto lenient = dcs::read_config("config", text, 1, 1, warnings);
    std::string why;
    auto strict = dcs::decode_config("config", text, &why);
    PGWARDEN_FUZZ_CHECK(strict.has_value() == (lenient.modify_version == 1));
    PGWARDEN_FUZZ_CHECK(strict.has_value() == dcs::parse_json_object("config", text).has_value());
    if (auto once = dcs::normalize_json(text)) {
        auto twice = dcs::normalize_json(*once);
        PGWARDEN_FUZZ_CHECK(twice.has_value());
        PGWARDEN_FUZZ_CHECK(*twice == *once || fuzz::has_double(*once));
    }
    if (auto optime = dcs::decode_legacy_optime("optime/leader", text, &why)) {
        auto again = dcs::decode_legacy_optime("optime/leader", dcs::encode_legacy_optime(*optime));
        PGWARDEN_FUZZ_CHECK(again && *again == *optime);
    }
    return 0;
}
