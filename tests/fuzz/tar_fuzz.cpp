// libFuzzer target for the USTAR reader: every input must either validate or fail cleanly, and
// every entry handed out must lie inside the input. Registered in tests/fuzz/CMakeLists.txt with
//     mnos_fuzz_target(tar_fuzz tar_fuzz.cpp)
// and its committed seeds (tests/fuzz/seeds/tar_fuzz/) are copied to <build>/seeds/ with
//     file(COPY seeds/tar_fuzz DESTINATION ${CMAKE_BINARY_DIR}/seeds)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "lib/tar.h"

namespace {

bool inside(std::span<const uint8_t> outer, std::span<const uint8_t> inner) {
    return inner.empty() ||
           (inner.data() >= outer.data() && inner.size() <= outer.size() &&
            inner.data() - outer.data() <= static_cast<ptrdiff_t>(outer.size() - inner.size()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const uint8_t> archive(data, size);
    lib::TarReader reader(archive);
    size_t count = 0;
    lib::TarEntry first;
    for (;;) {
        auto entry = reader.next();
        if (!entry) {
            if (entry.error() != lib::Error::Malformed || reader.reason()[0] == 0)
                std::abort();
            break;
        }
        if (!*entry)
            break;
        const lib::TarEntry& e = **entry;
        if (!inside(archive, e.data) || e.path_length == 0 || e.path_length > lib::TAR_MAX_PATH ||
            e.path[e.path_length] != 0 || e.header_offset % lib::TAR_BLOCK_SIZE != 0)
            std::abort();
        if (count++ == 0)
            first = e;
    }
    // Looking up the first entry's own path must find that entry, whatever follows it.
    if (count > 0) {
        auto found = lib::tar_find(archive, first.path);
        if (!found || found->header_offset != first.header_offset)
            std::abort();
        auto opened = lib::tar_open(archive, first.path);
        if (opened.has_value() != (first.type == lib::TarType::File))
            std::abort();
    }
    auto validated = lib::tar_validate(archive);
    if (validated && *validated != count)
        std::abort();
    return 0;
}
