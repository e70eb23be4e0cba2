// libFuzzer target for the `status` codec (see fuzz_common.hpp for the checks).
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace pgwarden;
    const auto text = fuzz::as_text(data, size);
    dcs::codec_warnings warnings;
    (void)dcs::read_status("status", text, warnings);   // lenient: must not crash
    fuzz::check_round_trip(
        "status", text, [](auto k, auto t, auto w) { return dcs::decode_status(k, t, w); },
        [](const auto& v) { return dcs::encode_status(v); });
    return 0;
}
