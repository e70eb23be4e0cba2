// Resident memory of the daemon (see memory.hpp).
#include "memory.hpp"

#include <malloc.h>
#include <sys/mman.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <string>

namespace pgwarden::apps {

void tune_malloc() noexcept
{
    // One thread, so one arena is all it ever needs (glibc would otherwise
    // allow 8 per core for threads that libraries might start).
    (void)::mallopt(M_ARENA_MAX, 1);
    // Fixed thresholds turn off glibc's dynamic adjustment, which raises the
    // mmap threshold to the size of every mmap'ed block freed (up to 32 MiB)
    // and the trim threshold to twice that: after one large answer the heap
    // would keep that much free memory for good. 128 KiB is glibc's initial
    // mmap threshold; free memory above 256 KiB at the top of the heap is
    // returned at once.
    (void)::mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    (void)::mallopt(M_TRIM_THRESHOLD, 256 * 1024);
}

namespace {

std::uintptr_t parse_hex(std::string_view s)
{
    std::uintptr_t v = 0;
    (void)std::from_chars(s.data(), s.data() + s.size(), v, 16);
    return v;
}

std::size_t parse_kib(std::string_view line)
{
    // "Rss:                 128 kB"
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return 0;
    auto rest = line.substr(colon + 1);
    auto first = rest.find_first_not_of(' ');
    if (first == std::string_view::npos) return 0;
    rest.remove_prefix(first);
    std::size_t v = 0;
    (void)std::from_chars(rest.data(), rest.data() + rest.size(), v);
    return v;
}

bool starts_with_hex_range(std::string_view line)
{
    // A mapping header: "<begin>-<end> <perms> <offset> <dev> <inode> [path]".
    auto dash = line.find('-');
    if (dash == 0 || dash == std::string_view::npos) return false;
    for (std::size_t i = 0; i < dash; ++i) {
        const char c = line[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

} // namespace

std::vector<droppable_mapping> droppable_mappings(std::string_view smaps)
{
    std::vector<droppable_mapping> out;
    droppable_mapping cur;
    bool candidate = false;
    std::size_t rss = 0, anon = 0, locked = 0;
    auto finish = [&] {
        if (candidate && rss > 0 && anon == 0 && locked == 0) {
            cur.rss_kib = rss;
            out.push_back(cur);
        }
        candidate = false;
        rss = anon = locked = 0;
    };
    while (!smaps.empty()) {
        const auto nl = smaps.find('\n');
        const std::string_view line = smaps.substr(0, nl);
        smaps.remove_prefix(nl == std::string_view::npos ? smaps.size() : nl + 1);
        if (starts_with_hex_range(line)) {
            finish();
            // Fields separated by runs of spaces; the path is the sixth.
            std::string_view f[6];
            std::size_t n = 0;
            std::string_view rest = line;
            while (n < 6 && !rest.empty()) {
                const auto b = rest.find_first_not_of(' ');
                if (b == std::string_view::npos) break;
                rest.remove_prefix(b);
                if (n == 5) {
                    f[n++] = rest;   // the path may hold spaces
                    break;
                }
                const auto e = rest.find(' ');
                f[n++] = rest.substr(0, e);
                rest.remove_prefix(e == std::string_view::npos ? rest.size() : e);
            }
            if (n < 6 || f[1].size() < 4) continue;
            const std::string_view perms = f[1];
            const auto dash = f[0].find('-');
            cur.begin = parse_hex(f[0].substr(0, dash));
            cur.end = parse_hex(f[0].substr(dash + 1));
            // Private ('p'), not writable, a real file (not [heap], [vdso], ...).
            candidate = perms[1] != 'w' && perms[3] == 'p' && f[5].starts_with('/') && cur.end > cur.begin;
            continue;
        }
        if (line.starts_with("Rss:")) rss = parse_kib(line);
        else if (line.starts_with("Anonymous:")) anon = parse_kib(line);
        else if (line.starts_with("Locked:")) locked = parse_kib(line);
    }
    finish();
    return out;
}

release_report release_startup_pages() noexcept
{
    release_report report;
    try {
        (void)::malloc_trim(0);
        std::string text;
        {
            std::ifstream in("/proc/self/smaps");
            if (!in) return report;
            text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        // The list is built before the first madvise: reading smaps again
        // after one would see the pages already gone.
        for (const auto& m : droppable_mappings(text)) {
            if (::madvise(reinterpret_cast<void*>(m.begin), m.end - m.begin, MADV_DONTNEED) == 0) {
                ++report.mappings;
                report.kib += m.rss_kib;
            }
        }
    } catch (...) {
        // Out of memory while reading smaps: nothing released, nothing lost.
    }
    return report;
}

} // namespace pgwarden::apps
