// libFuzzer target for dcs::build_snapshot: the input is split into entries
// ("key\x01value\n" lines) with versions from their position. The snapshot
// must keep its invariants: members sorted and unique by name, no name with
// a '/', leader set only with a non-empty name.
#include "fuzz_common.hpp"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace pgwarden;
    std::string_view text = fuzz::as_text(data, size);
    std::vector<dcs::raw_entry> entries;
    while (!text.empty()) {
        auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        auto sep = line.find('\x01');
        dcs::raw_entry e;
        e.key = std::string(line.substr(0, sep));
        if (sep != std::string_view::npos) e.value = std::string(line.substr(sep + 1));
        e.version = static_cast<dcs::dcs_version>(entries.size() + 1);
        entries.push_back(std::move(e));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    dcs::codec_warnings warnings;
    auto snap = dcs::build_snapshot(entries, warnings);
    for (std::size_t i = 0; i < snap.members.size(); ++i) {
        PGWARDEN_FUZZ_CHECK(!snap.members[i].name.empty());
        PGWARDEN_FUZZ_CHECK(snap.members[i].name.find('/') == std::string::npos);
        if (i > 0) PGWARDEN_FUZZ_CHECK(snap.members[i - 1].name < snap.members[i].name);
    }
    PGWARDEN_FUZZ_CHECK(!snap.leader || !snap.leader->name.empty());
    (void)snap.timeline();
    return 0;
}
