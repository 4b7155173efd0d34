// FrameAllocator: the one thing page-table code needs from physical memory management.
// The kernel passes its PhysicalAllocator; host tests pass simulated allocators (counting ones,
// or ones that fail on purpose to exercise the out-of-memory paths).
#pragma once

#include "lib/address.h"
#include "lib/result.h"

namespace kernel::mm {

class FrameAllocator {
public:
    // One 4 KiB frame. Its content is unspecified; page-table code zeroes what it uses.
    virtual lib::Result<lib::PhysAddr> allocate_frame() = 0;
    // Returns a frame obtained from allocate_frame(); errors (double free, foreign frame) are
    // reported, never ignored.
    virtual lib::Result<void> free_frame(lib::PhysAddr frame) = 0;

protected:
    // Non-virtual and protected: nobody destroys an allocator through this interface, and a
    // virtual destructor would drag operator delete into code that runs before the heap exists.
    ~FrameAllocator() = default;
};

} // namespace kernel::mm
