#include "lib/wasm/x64/posix_code_memory.h"

#include <sys/mman.h>
#include <unistd.h>

namespace wasm::x64 {

CodeMemory::Region PosixCodeMemory::map_writable(size_t size) {
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_t bytes = (size + page - 1) & ~(page - 1);
    if (bytes == 0)
        bytes = page;
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return {};
    return {static_cast<uint8_t*>(p), bytes};
}

bool PosixCodeMemory::make_executable(Region r) {
    // One call swaps the rights: the pages are never writable and executable at once.
    return mprotect(r.base, r.size, PROT_READ | PROT_EXEC) == 0;
}

void PosixCodeMemory::unmap(Region r) {
    if (r.base)
        munmap(r.base, r.size);
}

} // namespace wasm::x64
