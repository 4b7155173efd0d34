// libmnos's allocator (lib/size_class_heap.h) on the host: alignment, reuse, large blocks,
// realloc, misuse caught, and four threads allocating and freeing at once with every block's
// contents checked, so a race that hands one block out twice shows up as a corrupted pattern.
#include <gtest/gtest.h>

#include <sys/mman.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "lib/size_class_heap.h"

namespace {

class MmapBackend {
public:
    void* map_chunk(size_t bytes) {
        if (chunks_left == 0)
            return nullptr;
        --chunks_left;
        return map(bytes);
    }
    void* map_large(uint64_t pages) { return map(pages * 4096); }
    void unmap_large(void* base, uint64_t pages) {
        munmap(base, pages * 4096);
        ++large_unmapped;
    }
    [[noreturn]] void corrupt(const char* why) { throw std::runtime_error(why); }

    std::atomic<int> chunks_left{1 << 20};
    std::atomic<int> large_unmapped{0};

private:
    static void* map(size_t bytes) {
        void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? nullptr : p;
    }
};

// The spin lock libmnos uses yields to the kernel; on the host a mutex stands in.
using Heap = lib::SizeClassHeap<MmapBackend, std::mutex>;

TEST(SizeClassHeap, BlocksAreAlignedDistinctAndReused) {
    MmapBackend backend;
    Heap heap(backend);
    std::vector<void*> blocks;
    for (size_t size : {1, 15, 16, 17, 100, 1000, 2048, 2049, 10000}) {
        void* block = heap.allocate(size);
        ASSERT_NE(block, nullptr);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % 16, 0u) << size;
        EXPECT_GE(heap.capacity(block), size);
        std::memset(block, 0xab, size);
        blocks.push_back(block);
    }
    EXPECT_EQ(heap.statistics().small_in_use, 7u);
    EXPECT_EQ(heap.statistics().large_in_use, 2u);
    void* small = blocks[3];
    heap.release(small);
    EXPECT_EQ(heap.allocate(20), small); // the same class's free list hands it back
    for (void* block : blocks)
        heap.release(block);
    EXPECT_EQ(backend.large_unmapped.load(), 2);
    EXPECT_EQ(heap.statistics().small_in_use, 0u);
    EXPECT_EQ(heap.statistics().large_in_use, 0u);
}

TEST(SizeClassHeap, ResizeKeepsTheContents) {
    MmapBackend backend;
    Heap heap(backend);
    auto* block = static_cast<char*>(heap.allocate(10));
    std::memcpy(block, "0123456789", 10);
    EXPECT_EQ(heap.resize(block, 16), block); // fits its class: the same block
    auto* bigger = static_cast<char*>(heap.resize(block, 5000));
    ASSERT_NE(bigger, nullptr);
    EXPECT_EQ(std::string(bigger, 10), "0123456789");
    heap.release(bigger);
    EXPECT_NE(heap.resize(nullptr, 8), nullptr);
}

TEST(SizeClassHeap, MisuseIsCaughtAndExhaustionIsNull) {
    MmapBackend backend;
    Heap heap(backend);
    void* block = heap.allocate(32);
    heap.release(block);
    EXPECT_THROW(heap.release(block), std::runtime_error); // double free
    alignas(16) uint64_t fake[4] = {99, 0, 0, 0};            // a header no block has
    EXPECT_THROW(heap.release(&fake[2]), std::runtime_error);
    EXPECT_EQ(heap.allocate(SIZE_MAX), nullptr);
    MmapBackend empty;
    empty.chunks_left = 0;
    Heap starved(empty);
    EXPECT_EQ(starved.allocate(64), nullptr); // no chunk to carve: null, not a crash
}

TEST(SizeClassHeap, FourThreadsNeverShareABlock) {
    MmapBackend backend;
    Heap heap(backend);
    constexpr int THREADS = 4, ROUNDS = 20000, LIVE = 64;
    std::atomic<int> corrupted{0};
    auto work = [&](int id) {
        std::vector<std::pair<unsigned char*, size_t>> live;
        uint32_t state = 1 + id;
        for (int round = 0; round < ROUNDS; ++round) {
            state = state * 1103515245 + 12345;
            if (live.size() < LIVE && (state >> 16) % 3 != 0) {
                size_t size = 1 + (state >> 8) % (state & 1 ? 3000 : 200);
                auto* block = static_cast<unsigned char*>(heap.allocate(size));
                if (!block)
                    continue;
                std::memset(block, id * 31 + int(size), size);
                live.emplace_back(block, size);
            } else if (!live.empty()) {
                auto [block, size] = live.back();
                live.pop_back();
                for (size_t i = 0; i < size; ++i)
                    if (block[i] != (unsigned char)(id * 31 + int(size))) {
                        ++corrupted;
                        break;
                    }
                heap.release(block);
            }
        }
        for (auto [block, size] : live)
            heap.release(block);
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < THREADS; ++i)
        threads.emplace_back(work, i);
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(corrupted.load(), 0);
    EXPECT_EQ(heap.statistics().small_in_use, 0u);
    EXPECT_EQ(heap.statistics().large_in_use, 0u);
}

} // namespace
