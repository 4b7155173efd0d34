// A simulated user address space for the ELF loader: the AddressSpaceSink the kernel implements
// over page tables, here a map of page address -> 4 KiB of bytes. It enforces the contract the
// loader relies on (page-aligned, never mapped twice, copies only into mapped pages) and a
// memory budget, so host tests and the fuzzer can load hostile images safely.
#pragma once

#include <algorithm>
#include <array>
#include <cstring>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "lib/elf.h"

namespace test {

class SimulatedAddressSpace final : public lib::AddressSpaceSink {
public:
    struct Page {
        std::array<uint8_t, lib::PAGE_SIZE> bytes;
        lib::SegmentFlags flags;
    };

    explicit SimulatedAddressSpace(size_t max_pages = 1 << 16) : m_max_pages(max_pages) {}

    lib::Result<void> map_zeroed(lib::VirtAddr page, size_t count,
                                 lib::SegmentFlags flags) override {
        if (!page.is_aligned(lib::PAGE_SIZE) || count == 0)
            return lib::fail(lib::Error::InvalidArgument);
        if (count > m_max_pages - m_pages.size())
            return lib::fail(lib::Error::OutOfMemory);
        for (size_t i = 0; i < count; ++i)
            if (m_pages.count(page.value() + i * lib::PAGE_SIZE))
                return lib::fail(lib::Error::Exists);
        for (size_t i = 0; i < count; ++i) {
            Page& p = m_pages[page.value() + i * lib::PAGE_SIZE];
            p.bytes.fill(0);
            p.flags = flags;
        }
        ++map_calls;
        return {};
    }

    lib::Result<void> copy_to(lib::VirtAddr dst, std::span<const uint8_t> bytes) override {
        // Checks every page first, so a refused copy writes nothing; then copies page by page.
        uint64_t end = dst.value() + bytes.size();
        if (end < dst.value())
            return lib::fail(lib::Error::BadAddress);
        for (uint64_t a = dst.value() & ~(lib::PAGE_SIZE - 1); a < end; a += lib::PAGE_SIZE)
            if (!page(a))
                return lib::fail(lib::Error::BadAddress);
        for (size_t done = 0; done < bytes.size();) {
            uint64_t a = dst.value() + done;
            size_t in_page = lib::PAGE_SIZE - a % lib::PAGE_SIZE;
            size_t n = std::min(in_page, bytes.size() - done);
            std::memcpy(page(a)->bytes.data() + a % lib::PAGE_SIZE, bytes.data() + done, n);
            done += n;
        }
        ++copy_calls;
        return {};
    }

    // The page holding `a`, or nullptr if it is not mapped.
    const Page* page(uint64_t a) const {
        auto it = m_pages.find(a & ~(lib::PAGE_SIZE - 1));
        return it == m_pages.end() ? nullptr : &it->second;
    }
    Page* page(uint64_t a) { return const_cast<Page*>(std::as_const(*this).page(a)); }

    // The byte at `a`, or nullopt if its page is not mapped.
    std::optional<uint8_t> byte(uint64_t a) const {
        auto it = m_pages.find(a & ~(lib::PAGE_SIZE - 1));
        if (it == m_pages.end())
            return std::nullopt;
        return it->second.bytes[a % lib::PAGE_SIZE];
    }

    std::optional<lib::SegmentFlags> flags(uint64_t a) const {
        auto it = m_pages.find(a & ~(lib::PAGE_SIZE - 1));
        if (it == m_pages.end())
            return std::nullopt;
        return it->second.flags;
    }

    size_t page_count() const { return m_pages.size(); }

    int map_calls = 0;
    int copy_calls = 0;

private:
    size_t m_max_pages;
    std::map<uint64_t, Page> m_pages;
};

} // namespace test
