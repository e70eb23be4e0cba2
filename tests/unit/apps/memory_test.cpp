// Goal: the daemon's start-up page release (apps/common/memory.hpp) picks
// only mappings whose pages can be dropped without losing data, and dropping
// them really lowers the resident file pages while the process keeps working.
// Method: droppable_mappings on a hand-written smaps text covering each kind
// of mapping; then release_startup_pages on this test process itself, with
// /proc/self/status read before and after, and code from the dropped
// libraries run again afterwards.
#include "common/memory.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <string>

using namespace pgwarden;

namespace {

const char* const smaps_text =
    "55d0a0000000-55d0a0010000 r--p 00000000 fe:00 11 /usr/bin/daemon\n"
    "Rss:                  64 kB\n"
    "Anonymous:             0 kB\n"
    "Locked:                0 kB\n"
    "55d0a0010000-55d0a0030000 r-xp 00010000 fe:00 11 /usr/bin/daemon\n"
    "Rss:                 100 kB\n"
    "Anonymous:             0 kB\n"
    "Locked:                0 kB\n"
    "55d0a0030000-55d0a0032000 r--p 00030000 fe:00 11 /usr/bin/daemon\n"   // RELRO: relocated copies
    "Rss:                   8 kB\n"
    "Anonymous:             8 kB\n"
    "Locked:                0 kB\n"
    "55d0a0032000-55d0a0033000 rw-p 00032000 fe:00 11 /usr/bin/daemon\n"   // writable data
    "Rss:                   4 kB\n"
    "Anonymous:             0 kB\n"
    "Locked:                0 kB\n"
    "55d0a1000000-55d0a1100000 rw-p 00000000 00:00 0                          [heap]\n"
    "Rss:                 400 kB\n"
    "Anonymous:           400 kB\n"
    "Locked:                0 kB\n"
    "7f0000000000-7f0000010000 r-xp 00000000 fe:00 12 /usr/lib/lib with space.so\n"
    "Rss:                  16 kB\n"
    "Anonymous:             0 kB\n"
    "Locked:                0 kB\n"
    "7f0000010000-7f0000020000 r-xp 00000000 fe:00 13 /usr/lib/libunused.so\n"   // nothing resident
    "Rss:                   0 kB\n"
    "Anonymous:             0 kB\n"
    "Locked:                0 kB\n"
    "7f0000020000-7f0000030000 r-xp 00000000 fe:00 14 /usr/lib/liblocked.so\n"
    "Rss:                  64 kB\n"
    "Anonymous:             0 kB\n"
    "Locked:               64 kB\n"
    "7f0000030000-7f0000040000 r--s 00000000 fe:00 15 /dev/shm/shared\n"   // shared mapping
    "Rss:                  64 kB\n"
    "Anonymous:             0 kB\n"
    "Locked:                0 kB\n"
    "7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]\n"
    "Rss:                   8 kB\n"
    "Anonymous:             0 kB\n"
    "Locked:                0 kB\n";

std::size_t status_kib(const std::string& field)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0) return std::stoul(line.substr(field.size() + 1));
    return 0;
}

} // namespace

BOOST_AUTO_TEST_CASE(only_clean_private_read_only_file_mappings_are_droppable)
{
    const auto m = apps::droppable_mappings(smaps_text);
    BOOST_REQUIRE_EQUAL(m.size(), 3u);
    BOOST_TEST(m[0].begin == 0x55d0a0000000u);
    BOOST_TEST(m[0].end == 0x55d0a0010000u);
    BOOST_TEST(m[0].rss_kib == 64u);
    BOOST_TEST(m[1].begin == 0x55d0a0010000u);
    BOOST_TEST(m[1].rss_kib == 100u);
    BOOST_TEST(m[2].begin == 0x7f0000000000u);   // a path with a space
    BOOST_TEST(m[2].rss_kib == 16u);
}

BOOST_AUTO_TEST_CASE(an_empty_or_garbled_text_gives_nothing)
{
    BOOST_TEST(apps::droppable_mappings("").empty());
    BOOST_TEST(apps::droppable_mappings("Rss: 12 kB\nnot a header\n-1 r-xp\n").empty());
}

BOOST_AUTO_TEST_CASE(releasing_lowers_resident_file_pages_and_the_process_keeps_working)
{
    std::ostringstream warm;   // touch iostream, locale and formatting code of libstdc++
    for (int i = 0; i < 1000; ++i) warm << i << ' ' << 1.5 * i;
    const std::size_t before = status_kib("RssFile");
    const auto r = apps::release_startup_pages();
    const std::size_t after = status_kib("RssFile");
    BOOST_TEST(r.mappings > 0u);
    BOOST_TEST(r.kib > 0u);
    BOOST_TEST(after < before);
    // The dropped code and read-only data come back on use, unchanged.
    std::ostringstream again;
    for (int i = 0; i < 1000; ++i) again << i << ' ' << 1.5 * i;
    BOOST_TEST(again.str() == warm.str());
}
