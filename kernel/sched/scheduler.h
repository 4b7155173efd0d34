// The scheduler: per-CPU run queues, preemption on the LAPIC timer (10 ms quantum), an idle
// thread per CPU, sleeping with timed wake-ups, and load balancing (new threads go to the least
// loaded CPU; an idle CPU steals work). See docs/scheduler.md for the locking rules.
#pragma once

#include <cstdint>

#include "kernel/object/thread.h"
#include "kernel/sched/blocking.h"
#include "kernel/sched/cpu_local.h"
#include "lib/result.h"
#include "lib/string_view.h"

namespace kernel::sched {

inline constexpr uint32_t MAX_CPUS = 64; // CPU masks (Thread::ran_on_cpus) are one word
inline constexpr uint32_t TICK_HZ = 100; // one tick = one 10 ms quantum

// Turns the running boot context into CPU `cpu`'s first thread and creates its idle thread, or,
// on an application processor (boot_thread_is_idle), makes the boot context the idle thread,
// which then enters run_idle(). Called once per CPU with interrupts disabled.
void init_cpu(uint32_t cpu, lib::StringView boot_thread_name, bool boot_thread_is_idle = false);
[[noreturn]] void run_idle();

// Creates a kernel thread running entry(argument) and makes it ready: on `cpu` if given (and
// pinned there), otherwise on the least loaded CPU. OutOfMemory if no stack or no heap. With a
// `process`, the thread belongs to it and its IPC uses the process's CNode; the process must
// outlive the thread (see process.h).
lib::Result<Thread*> spawn(lib::StringView name, Thread::Entry entry, void* argument,
                           uint32_t cpu = ANY_CPU, Process* process = nullptr);

// spawn() in two steps, for callers that fill in the thread before it may run.
lib::Result<Thread*> create_thread(lib::StringView name, Thread::Entry entry, void* argument,
                                   uint32_t cpu = ANY_CPU, Process* process = nullptr);
void start_thread(Thread& thread);
// Queues an unpinned thread on `cpu` (online) first, instead of the least loaded CPU; load
// balancing may move it from there.
void start_thread_on(Thread& thread, uint32_t cpu);

// Inline: one GS-relative load, on every syscall and every switch.
inline Thread* current() { return current_thread(); }
uint32_t current_cpu();
uint32_t online_cpus();

// Gives up the CPU to the next ready thread, if any; the caller stays ready.
void yield();
// Blocks the caller until at least `ticks` timer ticks have passed. Interruptible (the Sleep
// syscall): a kill ends the sleep early, and then it returns false.
bool sleep_ticks(uint64_t ticks, BlockMode mode = BlockMode::Uninterruptible);
// Ends the calling thread (relinquishing an IRQ line it holds); the CPU frees it and its stack
// once it has switched to another thread.
[[noreturn]] void exit_current();

// For wait queues (IPC, IRQ lines): the caller must already be on the queue it waits in, with
// interrupts disabled; block_current() marks it Blocked and switches away. wake() makes a blocked
// thread ready on its CPU, with a reschedule IPI if that is another CPU; a thread still on its
// CPU is left for that CPU to queue (docs/scheduler.md).
void block_current();
void wake(Thread& thread);
// The IPC fast path's two halves (blocking.h): claim_for_switch() claims the wake of `thread`
// if it is Blocked, unclaimed, fully switched out and at home on this CPU (interrupts off);
// switch_to_claimed() then blocks the caller (already marked Blocked) and runs that thread at
// once, as a wake followed by a pick of exactly it would, without touching a run queue.
// `by` says which path made the switch, for the statistics.
enum class HandOff : uint8_t { Blocking, Syscall };
// The CPU a thread belongs on: the one it is pinned to, or the one it last ran on.
inline uint32_t home_cpu(const Thread& thread) {
    return thread.pinned_cpu != ANY_CPU ? thread.pinned_cpu : thread.cpu;
}
// Inline: the syscall fast path claims its partner on every round trip.
inline bool claim_for_switch(Thread& thread) {
    Guard guard(thread.block_lock, INTERRUPTS_OFF);
    if (thread.state != ThreadState::Blocked || thread.wake_claimed || thread.is_idle ||
        thread.on_cpu.load(std::memory_order_acquire) || home_cpu(thread) != cpu_index())
        return false;
    thread.wake_claimed = true;
    return true;
}
void switch_to_claimed(Thread& thread, HandOff by = HandOff::Blocking);
// switch_to_claimed(thread, HandOff::Syscall) for a thread parked in the syscall fast path
// (its resume_frame): it resumes straight into Ring 3 from `frame`, which the caller has filled
// with the call's outcome, through the syscall exit (syscall_entry.S), instead of returning
// through the kernel frames it switched away in.
void switch_to_claimed_user(Thread& thread, syscall::SyscallFrame& frame);
// The incoming half of a switch, for a thread that resumes other than by returning from
// switch_context (a new thread's first run, a syscall resumed straight into Ring 3).
void finish_switch_here();

// From the timer interrupt: counts the tick, wakes sleepers, requests preemption.
void on_timer_tick();
// Makes `thread` enter the kernel soon if it runs on another CPU (a reschedule IPI there).
void interrupt(Thread& thread);
// From the reschedule IPI: another CPU queued work here.
void request_reschedule();
// At the end of an interrupt, with interrupts disabled: switches if preemption was requested.
void preempt_if_requested();

uint64_t ticks();

// Statistics for tests and the boot log.
struct CpuStats {
    uint64_t switches = 0;         // context switches performed on this CPU
    uint64_t threads_run = 0;      // distinct non-idle threads that have run here
    uint64_t ready = 0;            // threads in its run queue now
    bool idle = false;             // running its idle thread now
    uint64_t hand_offs = 0;        // of the switches, those the IPC fast path made directly
    uint64_t syscall_hand_offs = 0; // of those, the ones made by the syscall's (kernel/ipc/fastpath)
};
CpuStats cpu_stats(uint32_t cpu);
// Kernel stacks mapped now: those of live threads and those pooled for reuse.
uint64_t kernel_stacks();

} // namespace kernel::sched
