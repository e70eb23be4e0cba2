// libFuzzer target for the `members/node1` codec (see fuzz_common.hpp for the checks).
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace pgwarden;
    const auto text = fuzz::as_text(data, size);
    dcs::codec_warnings warnings;
    (void)dcs::read_member("members/node1", text, warnings);   // lenient: must not crash
    fuzz::check_round_trip(
        "members/node1", text, [](auto k, auto t, auto w) { return dcs::decode_member(k, t, w); },
        [](const auto& v) { return dcs::encode_member(v); });
    return 0;
}
