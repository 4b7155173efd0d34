// libFuzzer target for the ELF loader: parse, check the invariants elf_parse promises, then load
// into a simulated address space with a bounded page budget and check the loaded bytes.
// Registered in tests/fuzz/CMakeLists.txt with
//     mnos_fuzz_target(elf_fuzz elf_fuzz.cpp)
// and its committed seeds (tests/fuzz/seeds/elf_fuzz/) are copied to <build>/seeds/ with
//     file(COPY seeds/elf_fuzz DESTINATION ${CMAKE_BINARY_DIR}/seeds)
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "lib/elf.h"
#include "tests/host/simulated_address_space.h"

namespace {

// 256 pages (1 MiB) per input keeps each run fast; larger images fail with OutOfMemory.
constexpr size_t PAGE_BUDGET = 256;

void check(bool ok) {
    if (!ok)
        std::abort();
}

void check_image(std::span<const uint8_t> image, const lib::ElfImage& parsed,
                 const lib::UserRange& range) {
    check(parsed.segment_count > 0 && parsed.segment_count <= lib::ELF_MAX_SEGMENTS);
    bool entry_in_code = false;
    for (size_t i = 0; i < parsed.segment_count; ++i) {
        const lib::LoadSegment& s = parsed.segments[i];
        check(s.mem_size > 0 && s.file_size <= s.mem_size);
        check(s.file_offset <= image.size() && s.file_size <= image.size() - s.file_offset);
        check(s.vaddr >= range.min && s.vaddr.value() + s.mem_size <= range.end.value());
        check(!(s.flags.writable && s.flags.executable));
        if (i > 0)
            check(parsed.segments[i - 1].page_end() <= s.page_start());
        if (s.flags.executable && parsed.entry >= s.vaddr &&
            parsed.entry.value() - s.vaddr.value() < s.mem_size)
            entry_in_code = true;
    }
    check(entry_in_code);
}

void check_loaded(std::span<const uint8_t> image, const lib::ElfImage& parsed,
                  const test::SimulatedAddressSpace& as) {
    static const uint8_t zeros[lib::PAGE_SIZE] = {};
    for (const lib::LoadSegment& s : parsed.loads()) {
        uint64_t file_start = s.vaddr.value();
        uint64_t file_end = file_start + s.file_size;
        for (uint64_t p = s.page_start().value(); p < s.page_end().value(); p += lib::PAGE_SIZE) {
            const test::SimulatedAddressSpace::Page* page = as.page(p);
            check(page != nullptr && page->flags == s.flags);
            // The page is zeros, except where it intersects [file_start, file_end): file bytes.
            uint64_t lo = std::clamp(file_start, p, p + lib::PAGE_SIZE);
            uint64_t hi = std::clamp(file_end, p, p + lib::PAGE_SIZE);
            const uint8_t* b = page->bytes.data();
            check(std::memcmp(b, zeros, lo - p) == 0);
            if (hi > lo)
                check(std::memcmp(b + (lo - p), image.data() + s.file_offset + (lo - file_start),
                                  hi - lo) == 0);
            check(std::memcmp(b + (hi - p), zeros, p + lib::PAGE_SIZE - hi) == 0);
        }
    }
}

void run(std::span<const uint8_t> image, const lib::UserRange& range) {
    const char* reason = "";
    auto parsed = lib::elf_parse(image, range, &reason);
    if (!parsed) {
        check(reason[0] != 0);
        return;
    }
    check_image(image, *parsed, range);
    test::SimulatedAddressSpace as(PAGE_BUDGET);
    auto loaded = lib::elf_load(*parsed, image, as);
    if (!loaded) {
        check(loaded.error() == lib::Error::OutOfMemory);
        return;
    }
    check_loaded(image, *parsed, as);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const uint8_t> image(data, size);
    run(image, lib::UserRange{});
    // The kernel's real window is narrower than the canonical half: check a tight one too.
    run(image, lib::UserRange{lib::VirtAddr(0x400000), lib::VirtAddr(0x10000000)});
    return 0;
}
