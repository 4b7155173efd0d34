// Where compiled Wasm code lives: memory that is writable while the compiler fills it, then
// executable and never both at once (W^X). The engine only asks through this interface, so the
// host supplies it with mmap/mprotect and MinimalOS with memory frames mapped through
// capabilities whose rights grant WRITE or EXEC, not both.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wasm {

class CodeMemory {
public:
    struct Region {
        uint8_t* base = nullptr;
        size_t size = 0;
    };
    // Fresh memory of at least `size` bytes, readable and writable, not executable; an empty
    // Region when there is none.
    virtual Region map_writable(size_t size) = 0;
    // Turns a region from map_writable into readable and executable, and takes write access
    // away; false if that failed (the region is then still only writable).
    virtual bool make_executable(Region r) = 0;
    virtual void unmap(Region r) = 0;

protected:
    ~CodeMemory() = default;
};

} // namespace wasm
