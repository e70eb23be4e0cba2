// The daemon's resident memory (docs/notes/footprint.md): glibc malloc tuned
// for one thread at start-up, and pages used only while starting handed back
// to the kernel once the daemon runs. Linux and glibc only.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace pgwarden::apps {

/** Sets glibc malloc for a one-thread daemon, before anything is allocated
 *  in earnest: one arena, and fixed mmap and trim thresholds so that a large
 *  block freed after a one-off job (a base backup's output, a big DCS
 *  answer) goes back to the kernel instead of raising the thresholds for good
 *  (glibc's default "dynamic" thresholds). */
void tune_malloc() noexcept;

/// One mapping of /proc/<pid>/smaps whose resident pages may be dropped.
struct droppable_mapping {
    std::uintptr_t begin = 0;
    std::uintptr_t end = 0;
    std::size_t rss_kib = 0;
};

/** The mappings of an smaps text whose resident pages can be dropped without
 *  losing anything: private, not writable, backed by a file (a path), with
 *  resident pages and not one private (copied-on-write) or locked page.
 *  That is the code and read-only data of the executable and its shared
 *  libraries; relocated data and RELRO pages hold anonymous copies and are
 *  never listed. */
[[nodiscard]] std::vector<droppable_mapping> droppable_mappings(std::string_view smaps);

/// What release_startup_pages did.
struct release_report {
    std::size_t mappings = 0;   ///< mappings whose pages were dropped
    std::size_t kib = 0;        ///< their resident KiB before
};

/** Hands back what start-up left resident and the daemon does not use at
 *  rest: free heap memory (malloc_trim), and the resident pages of the
 *  droppable_mappings of /proc/self/smaps (madvise MADV_DONTNEED). Those
 *  pages stay in the page cache; the next use maps them again, without I/O
 *  while the file is cached. Call it from the only thread. */
release_report release_startup_pages() noexcept;

} // namespace pgwarden::apps
