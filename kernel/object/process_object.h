// ProcessObject: what the capability system needs to know about a process, as an interface the
// real Process (kernel/sched, later) implements. A Process capability lets its holder act on
// that process: with WRITE, delegate capabilities into its CNode; the rest (start threads, map
// memory, kill) comes with the scheduler and the syscall layer.
#pragma once

#include <cstdint>

#include "kernel/object/kernel_object.h"

namespace kernel::cap {
class CNode;
}

namespace kernel::object {

class ProcessObject : public KernelObject {
public:
    static constexpr mnos::CapType CAP_TYPE = mnos::CapType::Process;

    // The process's capability table, which lives exactly as long as the process.
    virtual cap::CNode& cnode() = 0;
    virtual uint64_t pid() const = 0;

protected:
    ProcessObject() : KernelObject(CAP_TYPE) {}
    ~ProcessObject() override = default;
};

} // namespace kernel::object
