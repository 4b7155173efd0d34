// W^X for compiled Wasm code, as the OS's Wasm host keeps it (user/wasm/frame_code_memory.h),
// checked from the shell (boot/shell-wasm-*): the kernel refuses a frame mapped writable and
// executable at once; code written while writable runs once made executable; and a write to
// it then faults, ending this program (the shell reports the page fault).
#include "abi/init.h"
#include "user/libmnos/memory.h"
#include "user/libmnos/print.h"
#include "user/libmnos/syscall.h"
#include "user/wasm/frame_code_memory.h"

int main(int, char**) {
    namespace sys = mnos::sys;
    // A hole in the address space to ask for the mapping at: pages allocated, then unmapped.
    auto hole = mnos::allocate_pages(1);
    auto frame = sys::alloc_memory(mnos::service_caps::BUDGET, 1);
    if (!hole || !frame)
        return 1;
    mnos::free_pages(*hole, 1);
    auto both = sys::map_memory(mnos::service_caps::SELF, *frame, reinterpret_cast<uint64_t>(*hole),
                                mnos::MAP_WRITE | mnos::MAP_EXEC);
    mnos::println("code_wx_check: a writable and executable mapping: {}",
                  both ? "accepted" : mnos::error_name(both.error()));

    wasm_host::FrameCodeMemory code;
    auto region = code.map_writable(16);
    if (!region.base)
        return 2;
    const uint8_t forty_two[] = {0xb8, 42, 0, 0, 0, 0xc3}; // mov eax, 42; ret
    for (size_t i = 0; i < sizeof forty_two; ++i)
        region.base[i] = forty_two[i];
    if (!code.make_executable(region))
        return 3;
    // Sound: the region holds the six bytes above and is mapped executable now.
    auto function = reinterpret_cast<int (*)()>(region.base);
    mnos::println("code_wx_check: the compiled code returned {}", function());
    mnos::println("code_wx_check: writing to it");
    // Sound as a test: the write must fault (the page is executable and read-only), and the
    // fault ends this process; volatile so the compiler keeps the store.
    *reinterpret_cast<volatile uint8_t*>(region.base) = 0xcc;
    mnos::println("code_wx_check: the write went through");
    return 4;
}
