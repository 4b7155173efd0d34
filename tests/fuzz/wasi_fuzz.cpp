// libFuzzer target for the WASI layer alone: each input picks a WASI function, its arguments
// and the contents and size of a linear memory, and calls the function directly. The memory is
// a heap block of exactly that size, so AddressSanitizer reports any access the bounds checks
// let through. Input layout: [function][memory size: 2 bytes][6 arguments: 8 bytes each][memory].
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "lib/wasm/engine.h"
#include "lib/wasm/wasi/functions.h"
#include "lib/wasm/wasi/wasi.h"

namespace {

using namespace wasm;
using namespace wasm::wasi;

// A host that answers everything, with short writes and reads to exercise the partial paths.
class EchoHost final : public WasiHost {
public:
    IoResult write(uint32_t, std::span<const uint8_t> bytes) override {
        volatile uint8_t sink = 0;
        for (uint8_t b : bytes) // touch every byte so ASan sees the whole range
            sink = sink + b;
        return bytes.size() > 3 ? bytes.size() - 3 : bytes.size();
    }
    IoResult read(uint32_t, std::span<uint8_t> bytes) override {
        for (size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = static_cast<uint8_t>(i);
        return bytes.size() / 2;
    }
    TimeResult clock_time(ClockId, uint64_t) override { return uint64_t{123}; }
    TimeResult clock_resolution(ClockId) override { return uint64_t{1}; }
    Errno random(std::span<uint8_t> bytes) override {
        for (uint8_t& b : bytes)
            b = 7;
        return Errno::Success;
    }
};

constexpr HostFunc kFunctions[] = {
    detail::args_get,        detail::args_sizes_get,      detail::environ_get,
    detail::environ_sizes_get, detail::fd_write,          detail::fd_read,
    detail::fd_close,        detail::fd_seek,             detail::fd_tell,
    detail::fd_sync,         detail::fd_fdstat_get,       detail::fd_fdstat_set_flags,
    detail::fd_filestat_get, detail::fd_prestat_get,      detail::fd_prestat_dir_name,
    detail::clock_time_get,  detail::clock_res_get,       detail::random_get,
    detail::proc_exit,       detail::sched_yield,
};
constexpr size_t kArgs = 6;
constexpr size_t kHeader = 1 + 2 + 8 * kArgs;

uint64_t read_le(const uint8_t* p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
        v |= uint64_t{p[i]} << (8 * i);
    return v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < kHeader)
        return 0;
    HostFunc fn = kFunctions[data[0] % std::size(kFunctions)];
    size_t mem_size = read_le(data + 1, 2);
    uint64_t args[kArgs];
    for (size_t i = 0; i < kArgs; ++i) {
        args[i] = read_le(data + 3 + 8 * i, 8);
        // Half the time make pointers and lengths small, so they often land inside memory.
        if (args[i] >> 63)
            args[i] &= 0x1ff;
    }
    // Exactly mem_size bytes on the heap (at least one, so the pointer is valid), filled from
    // the rest of the input.
    std::vector<uint8_t> bytes(mem_size ? mem_size : 1, 0);
    for (size_t i = 0; i < mem_size && kHeader + i < size; ++i)
        bytes[i] = data[kHeader + i];

    Memory memory;
    memory.bytes = bytes.data();
    memory.size = mem_size;
    Instance instance;
    instance.memory0 = &memory;
    EchoHost host;
    const char* argv[] = {"fuzz.wasm", "an argument", ""};
    const char* env[] = {"A=1", "LONGER_NAME=some value"};
    Wasi wasi(host, {.args = argv, .env = env});
    uint64_t results[1] = {0};
    HostCall call(nullptr, &instance, &wasi, args, results);
    (void)fn(call);
    return 0;
}
