// GuestMemory: the only way the WASI layer touches linear memory. Every access names a guest
// address and a length, is checked against the memory's current size with 64-bit arithmetic
// (so addr + len cannot wrap), and fails instead of reading or writing outside. WASI values are
// little-endian; loads and stores assemble them byte by byte, so the host's byte order and the
// alignment of guest pointers do not matter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace wasm {
struct Memory;
}

namespace wasm::wasi {

class GuestMemory {
public:
    // `bytes`/`size` describe the whole linear memory; a module without memory gives size 0,
    // which makes every access fail.
    GuestMemory(uint8_t* bytes, uint64_t size) : bytes_(bytes), size_(bytes ? size : 0) {}
    explicit GuestMemory(Memory* memory);

    uint64_t size() const { return size_; }

    // True when [addr, addr + len) lies inside the memory. len may be 0 (then addr <= size).
    bool contains(uint64_t addr, uint64_t len) const {
        return addr <= size_ && len <= size_ - addr;
    }

    // The host view of a checked range, or an empty optional. Valid until the memory grows,
    // which cannot happen while a host function runs.
    std::optional<std::span<uint8_t>> bytes(uint64_t addr, uint64_t len) const {
        if (!contains(addr, len))
            return std::nullopt;
        return std::span<uint8_t>(bytes_ + addr, static_cast<size_t>(len));
    }

    std::optional<uint8_t> load_u8(uint64_t addr) const { return load<uint8_t>(addr); }
    std::optional<uint16_t> load_u16(uint64_t addr) const { return load<uint16_t>(addr); }
    std::optional<uint32_t> load_u32(uint64_t addr) const { return load<uint32_t>(addr); }
    std::optional<uint64_t> load_u64(uint64_t addr) const { return load<uint64_t>(addr); }

    bool store_u8(uint64_t addr, uint8_t v) { return store<uint8_t>(addr, v); }
    bool store_u16(uint64_t addr, uint16_t v) { return store<uint16_t>(addr, v); }
    bool store_u32(uint64_t addr, uint32_t v) { return store<uint32_t>(addr, v); }
    bool store_u64(uint64_t addr, uint64_t v) { return store<uint64_t>(addr, v); }

    // Copies `src` to addr; false (nothing written) when the range is outside.
    bool write(uint64_t addr, std::span<const uint8_t> src);

private:
    template <typename T> std::optional<T> load(uint64_t addr) const {
        if (!contains(addr, sizeof(T)))
            return std::nullopt;
        T v = 0;
        for (size_t i = 0; i < sizeof(T); ++i)
            v |= static_cast<T>(static_cast<T>(bytes_[addr + i]) << (8 * i));
        return v;
    }
    template <typename T> bool store(uint64_t addr, T v) {
        if (!contains(addr, sizeof(T)))
            return false;
        for (size_t i = 0; i < sizeof(T); ++i)
            bytes_[addr + i] = static_cast<uint8_t>(v >> (8 * i));
        return true;
    }

    uint8_t* bytes_;
    uint64_t size_;
};

} // namespace wasm::wasi
