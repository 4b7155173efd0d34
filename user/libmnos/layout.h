// Where libmnos puts things in a process's address space (docs/init.md has the whole map).
// Programs are linked at 0x400000 (user/linker.ld); the main thread's stack ends one page below
// the top of the user half.
#pragma once

#include <cstdint>

namespace mnos::layout {

inline constexpr uint64_t PAGE = 4096;
inline constexpr uint64_t INITRD_BASE = 0x10000000;     // the initrd, read-only, when granted
inline constexpr uint64_t HEAP_BASE = 0x40000000;       // small blocks, in 64 KiB chunks
inline constexpr uint64_t HEAP_END = 0x80000000;
inline constexpr uint64_t PAGES_BASE = 0x100000000;     // large blocks and thread stacks
inline constexpr uint64_t PAGES_END = 0x100000000000;
inline constexpr uint64_t SCRATCH_BASE = 0x200000000000; // the loader's view of a child's pages
inline constexpr uint64_t SCRATCH_END = 0x300000000000;
inline constexpr uint64_t MAIN_STACK_TOP = 0x00007ffffffff000 - PAGE;
inline constexpr uint64_t MAIN_STACK_SIZE = 64 * 1024;

} // namespace mnos::layout
