// Building Wasm binaries by hand in tests: LEB128 and sections.
#pragma once

#include <cstdint>
#include <vector>

namespace wasm_test {

using Bytes = std::vector<uint8_t>;

inline Bytes leb(uint32_t v) {
    Bytes out;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        out.push_back(v ? (b | 0x80) : b);
    } while (v);
    return out;
}

inline Bytes section(uint8_t id, const Bytes& body) {
    Bytes out{id};
    Bytes size = leb(static_cast<uint32_t>(body.size()));
    out.insert(out.end(), size.begin(), size.end());
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

} // namespace wasm_test
