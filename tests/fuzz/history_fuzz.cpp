// libFuzzer target for the `history` codec (see fuzz_common.hpp for the checks).
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace pgwarden;
    const auto text = fuzz::as_text(data, size);
    dcs::codec_warnings warnings;
    (void)dcs::read_history("history", text, warnings);   // lenient: must not crash
    fuzz::check_round_trip(
        "history", text, [](auto k, auto t, auto w) { return dcs::decode_history(k, t, w); },
        [](const auto& v) { return dcs::encode_history(v); });
    return 0;
}
