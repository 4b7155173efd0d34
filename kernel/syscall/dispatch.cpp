// The one place a SYSCALL lands in C++. The dispatch table is generated from MNOS_SYSCALLS
// (abi/syscall.h): each row becomes a call of the overload
//
//     invoke(Op<Syscall::Name>, Invocation&)
//
// of the row's object class (ObjectClass<CapType> below), of kernel/cap for calls on any
// capability, or of no_object.h for the calls on nothing. A row whose class lacks the overload
// does not compile, so there is no null handler and no number without a call.
#include "kernel/cap/capability_calls.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/syscall_entry_constants.h"
#include "kernel/debug/log.h"
#include "kernel/ipc/fastpath.h"
#include "kernel/object/device_control.h"
#include "kernel/object/endpoint.h"
#include "kernel/object/io_port.h"
#include "kernel/object/irq_control.h"
#include "kernel/object/irq_line.h"
#include "kernel/object/memory_budget.h"
#include "kernel/object/notification.h"
#include "kernel/object/pci_device.h"
#include "kernel/object/process.h"
#include "kernel/object/thread.h"
#include "kernel/sched/cpu_local.h"
#include "kernel/sched/scheduler.h"
#include "kernel/sched/user_process.h"
#include "kernel/syscall/dispatch.h"
#include "kernel/syscall/no_object.h"

namespace kernel::syscall {

namespace {

using mnos::CapType;
using mnos::Invokes;
using mnos::Syscall;

// The class of each object type that has invocations: one line per type.
template <CapType> struct ObjectClass;
template <> struct ObjectClass<CapType::DeviceControl> { using type = object::DeviceControl; };
template <> struct ObjectClass<CapType::PciDevice> { using type = object::PciDevice; };
template <> struct ObjectClass<CapType::IpcEndpoint> { using type = object::Endpoint; };
template <> struct ObjectClass<CapType::IoPort> { using type = object::IoPort; };
template <> struct ObjectClass<CapType::IrqLine> { using type = object::IrqLine; };
template <> struct ObjectClass<CapType::IrqControl> { using type = object::IrqControl; };
template <> struct ObjectClass<CapType::MemoryBudget> { using type = object::MemoryBudget; };
template <> struct ObjectClass<CapType::Notification> { using type = object::Notification; };
template <> struct ObjectClass<CapType::Process> { using type = object::Process; };
template <> struct ObjectClass<CapType::Thread> { using type = object::Thread; };

using Handler = lib::Result<uint64_t> (*)(Invocation&);

template <Invokes K, CapType T> struct Target;
template <CapType T> struct Target<Invokes::Object, T> {
    template <Syscall S> static lib::Result<uint64_t> run(Invocation& call) {
        using Class = typename ObjectClass<T>::type;
        static_assert(Class::CAP_TYPE == T);
        return call.object<Class>().invoke(Op<S>{}, call);
    }
};
template <> struct Target<Invokes::AnyCapability, CapType::Empty> {
    template <Syscall S> static lib::Result<uint64_t> run(Invocation& call) {
        return cap::invoke(Op<S>{}, call);
    }
};
template <> struct Target<Invokes::Nothing, CapType::Empty> {
    template <Syscall S> static lib::Result<uint64_t> run(Invocation& call) {
        return syscall::invoke(Op<S>{}, call);
    }
};

constexpr Handler HANDLERS[] = {
#define MNOS_SYSCALL_HANDLER(name, number, invokes, type, rights) \
    &Target<Invokes::invokes, CapType::type>::run<Syscall::name>,
    MNOS_SYSCALLS(MNOS_SYSCALL_HANDLER)
#undef MNOS_SYSCALL_HANDLER
};
static_assert(sizeof HANDLERS / sizeof HANDLERS[0] == mnos::SYSCALL_COUNT);

// The calls done with interrupts still off and without the general decode: the IPC fast
// path's two (kernel/ipc/fastpath.h), and Yield, which names nothing and takes no argument, so
// it goes straight to the scheduler (which would turn interrupts off for it anyway). False:
// the call is the general path's, and nothing has happened.
inline bool done_early(object::Thread& self, uint64_t number, SyscallFrame& frame) {
    switch (number) {
    case uint64_t(Syscall::Call): return ipc::fast_call(self, frame);
    case uint64_t(Syscall::ReplyRecv): return ipc::fast_reply_recv(self, frame);
    case uint64_t(Syscall::Yield):
        if (!self.ipc.cnode) // a kernel thread outside any process: invoke() refuses it
            return false;
        sched::yield();
        frame.rax = 0;
        return true;
    default: return false;
    }
}

static_assert(SYSCALL_ENTRY_COUNT == mnos::SYSCALL_COUNT);
static_assert(SYSCALL_ENTRY_INVALID_RESULT == mnos::error_result(mnos::Error::InvalidArgument));
static_assert(SYSCALL_ENTRY_FRAME_RAX == offsetof(SyscallFrame, rax));
static_assert(SYSCALL_ENTRY_CALLEE_SAVED == offsetof(SyscallFrame, r13));

bool is_canonical(uint64_t address) { return uint64_t(int64_t(address << 16) >> 16) == address; }

// Call and ReplyRecv, the IPC fast path's calls (docs/benchmarks.md), go to the endpoint's
// handler directly, without the table's indirect call and decode_target()'s general case: the
// same lookup (the slot, the row's type and rights, the same errors in the same order), then
// the handler.
template <Syscall S> lib::Result<uint64_t> invoke_endpoint(Invocation& call) {
    constexpr const mnos::SyscallSpec& spec = mnos::SYSCALL_SPECS[uint64_t(S)];
    static_assert(spec.type == CapType::IpcEndpoint);
    call.slot = TRY(slot_argument(call.registers.arg0()));
    call.target = TRY(cap::lookup_capability(call.cnode, call.slot, spec.type, spec.rights));
    return call.object<object::Endpoint>().invoke(Op<S>{}, call);
}

} // namespace

lib::Result<uint64_t> invoke(object::Thread& caller, SyscallFrame& registers) {
    const mnos::SyscallSpec* spec = TRY(decode_number(registers.number()));
    if (!caller.ipc.cnode)
        return lib::fail(mnos::Error::InvalidArgument); // a kernel thread outside any process
    Invocation call{registers, *caller.ipc.cnode, caller.ipc, caller.irq, &caller, {}, {}};
    if (spec->number == Syscall::Call)
        return invoke_endpoint<Syscall::Call>(call);
    if (spec->number == Syscall::ReplyRecv)
        return invoke_endpoint<Syscall::ReplyRecv>(call);
    TRY(decode_target(*spec, call));
    return HANDLERS[registers.number()](call);
}

} // namespace kernel::syscall

using namespace kernel;

namespace {

// Out of line, so that its locals do not weigh on every syscall's frame.
[[noreturn, gnu::noinline, gnu::cold]] void end_non_canonical(object::Thread& self,
                                                               uint64_t rip) {
    object::Process* process = self.process;
    kprintln(LogColour::Warning, "process {}: return to non-canonical RIP {:#x}; ended",
             process ? process->pid() : 0, rip);
    sched::exit_current_process(-1);
}

} // namespace

// Entered with interrupts off (syscall_entry.S): the IPC fast path runs so, every other call
// with them on.
extern "C" void syscall_dispatch(syscall::SyscallFrame* frame) {
    object::Thread& self = *sched::current_thread();
    uint64_t number = frame->number();
    if (syscall::done_early(self, number, *frame)) {
        cpu::enable_interrupts();
        // These leave the frame's RIP alone: only a kill while the thread waited, or its
        // process's exit, can end it here.
        sched::end_if_asked(self);
        return;
    }
    cpu::enable_interrupts(); // a long syscall must not hold off the timer
    // A number no call has was refused by the entry stub already; invoke() refuses it the same
    // way for its other callers, and this for anything that reaches here otherwise.
    if (number < mnos::SYSCALL_COUNT) {
        auto result = syscall::invoke(self, *frame);
        frame->rax = result ? *result : uint64_t(mnos::error_result(result.error()));
    } else {
        frame->rax = uint64_t(mnos::error_result(mnos::Error::InvalidArgument));
    }
    // On the way back to Ring 3: a thread that was killed, or whose process is exiting, ends
    // here instead.
    sched::end_if_asked(self);
    // SYSRET to a non-canonical RIP faults in Ring 0 (see syscall_entry.S). SYSCALL itself always
    // saves a canonical RIP and no call changes it, so this only guards the invariant.
    if (!syscall::is_canonical(frame->user_rip))
        end_non_canonical(self, frame->user_rip);
}
