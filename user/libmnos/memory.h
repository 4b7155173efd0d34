// Fresh memory for this process: frames from its budget, mapped into its own address space.
// The heap, thread stacks and the loader all get their pages here. A frame's capability is
// dropped once it is mapped (the mapping keeps the frame), so memory costs no CNode slots.
#pragma once

#include <cstddef>
#include <cstdint>

#include "abi/init.h"
#include "lib/result.h"

namespace mnos {

// Maps `pages` zeroed pages at `address` in `process` (MAP_WRITE / MAP_EXEC in `flags`), from
// `budget`; when `also_here` is non-zero the same frames are mapped writable there in this
// process too (the loader fills a child's pages that way). On failure what was mapped stays
// mapped: the caller unmaps the range.
lib::Result<void> map_fresh(CapSlot budget, CapSlot process, uint64_t address, uint64_t pages,
                            uint64_t flags, uint64_t also_here = 0);

// `pages` pages of fresh, writable memory in this process at a new address in the page region
// (layout.h), with an unmapped guard page below them. OutOfMemory when the budget is spent.
lib::Result<void*> allocate_pages(uint64_t pages);
void free_pages(void* base, uint64_t pages);

// Maps `frame` (a MemoryFrame of `pages` pages) into this process at a new address in the page
// region, writable or read-only: memory shared with another process that maps it too.
lib::Result<void*> map_shared(CapSlot frame, uint64_t pages, bool writable);

// A MemoryFrame a client sent with a request (in the receive window `sent`), mapped writable
// into this process: how a service takes a client's shared buffer (abi/fs.h, abi/block.h).
// InvalidArgument unless it is a frame of 1..max_pages pages. The window stays as it was.
struct SharedBuffer {
    uint8_t* memory;
    uint64_t pages;
};
lib::Result<SharedBuffer> map_sent_buffer(CapSlot sent, uint64_t max_pages);

// Maps an MmioRegion of `pages` pages (a device's registers) uncached and writable at a new
// address in the page region (MapMmio).
lib::Result<void*> map_region(CapSlot region, uint64_t pages);

// A fresh range of `pages` addresses in [base, end), never handed out before.
lib::Result<uint64_t> reserve_addresses(uint64_t& next, uint64_t end, uint64_t pages);

} // namespace mnos
