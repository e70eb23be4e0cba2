// sim::event_queue: the world's pending events, smallest first.
//
// Same contract as std::priority_queue<Event, std::vector<Event>,
// std::greater<Event>> (push, top, pop, empty, size), so the order in which
// events come out is exactly the order the world has always used: by
// Event::operator> , i.e. (time, sequence number). Two differences make it
// cheaper, neither changes that order:
//   - a 4-ary heap (shallower than a binary one; the four children of a
//     node share a cache line or two), which keeps its storage across runs;
//   - one "periodic" event (Event::periodic(): the world's 500 ms tick, at
//     most one pending at a time) sits in its own slot instead of the heap.
//     top() compares the slot with the heap's top by the same operator>,
//     so the tick still comes out exactly where its (time, seq) puts it;
//     it just costs no sift-up and sift-down. About 40 % of all events are
//     ticks (bench/README.md).
#pragma once
#include <pgwarden/core/assert.hpp>

#include <cstddef>
#include <utility>
#include <vector>

namespace pgwarden::sim {

template <class Event>
class event_queue {
public:
    bool empty() const noexcept { return heap_.empty() && !has_side_; }
    std::size_t size() const noexcept { return heap_.size() + (has_side_ ? 1 : 0); }

    const Event& top() const noexcept
    {
        if (has_side_ && (heap_.empty() || heap_.front() > side_)) return side_;
        return heap_.front();
    }

    /// top() and pop() in one step when the smallest event's time is at most `limit`.
    template <class Time>
    bool pop_until(Time limit, Event& out) noexcept
    {
        const bool side = has_side_ && (heap_.empty() || heap_.front() > side_);
        if (side) {
            if (side_.t > limit) return false;
            out = side_;
            has_side_ = false;
            return true;
        }
        if (heap_.empty() || heap_.front().t > limit) return false;
        out = heap_.front();
        pop_heap();
        return true;
    }

    void pop() noexcept
    {
        if (has_side_ && (heap_.empty() || heap_.front() > side_)) {
            has_side_ = false;
            return;
        }
        pop_heap();
    }

private:
    void pop_heap() noexcept
    {
        // Move the last leaf to the root and sift it down.
        const std::size_t n = heap_.size() - 1;
        if (n == 0) {
            heap_.pop_back();
            return;
        }
        Event moving = std::move(heap_.back());
        heap_.pop_back();
        std::size_t i = 0;
        for (;;) {
            const std::size_t first = 4 * i + 1;
            if (first >= n) break;
            const std::size_t last = first + 4 < n ? first + 4 : n;
            std::size_t best = first;
            for (std::size_t c = first + 1; c < last; ++c)
                if (heap_[best] > heap_[c]) best = c;
            if (!(moving > heap_[best])) break;
            heap_[i] = std::move(heap_[best]);
            i = best;
        }
        heap_[i] = std::move(moving);
    }

public:
    void push(const Event& e)
    {
        if (e.periodic()) {
            PGWARDEN_ASSERT(!has_side_);   // one periodic event pending at a time
            side_ = e;
            has_side_ = true;
            return;
        }
        std::size_t i = heap_.size();
        heap_.emplace_back();   // a hole at the end, sifted up to where `e` belongs
        while (i > 0) {
            const std::size_t parent = (i - 1) / 4;
            if (!(heap_[parent] > e)) break;
            heap_[i] = std::move(heap_[parent]);
            i = parent;
        }
        heap_[i] = e;
    }

private:
    std::vector<Event> heap_;
    Event side_{};
    bool has_side_ = false;
};

} // namespace pgwarden::sim
