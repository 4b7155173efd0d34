// Scheduler core. Rules that keep it correct on several CPUs:
// - Every run queue has its own IrqSpinlock; a CPU holds at most one run-queue lock at a time
//   (stealing locks the victim's queue only after releasing its own).
// - schedule() runs with interrupts disabled from picking the next thread until that thread runs.
// - The outgoing thread is put back on a queue only after switch_context has saved it:
//   finish_switch() does that on the incoming side and clears on_cpu. wake() waits for on_cpu to
//   clear before queueing, so no CPU can resume a thread whose registers are still being saved.
#include "kernel/sched/scheduler.h"

#include <atomic>
#include <new>
#include <utility>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/debug/log.h"
#include "kernel/debug/panic.h"
#include "kernel/irq/tick.h"
#include "kernel/object/process.h"
#include "kernel/sched/cpu_local.h"
#include "kernel/sched/reaper.h"
#include "kernel/sched/user_process.h"
#include "kernel/object/process.h"
#include "kernel/sync/spinlock.h"

extern "C" void switch_context(uint64_t* save_rsp, uint64_t load_rsp);
extern "C" void switch_to_user_frame(uint64_t* save_rsp, kernel::syscall::SyscallFrame* frame);
extern "C" void thread_start();

namespace kernel::sched {

bool steal_possible();

namespace {

using ThreadQueue = lib::IntrusiveList<Thread, &Thread::queue_node>;
using SleepList = lib::IntrusiveList<Thread, &Thread::sleep_node>;

struct alignas(64) CpuQueue {
    // One rank for every run queue: no CPU holds two at once (stealing drops its own first).
    IrqSpinlock lock{LockRank::RunQueue};
    ThreadQueue ready GUARDED_BY(lock);
    // Changed under the lock; read without it by load balancing, as hints rather than facts.
    std::atomic<uint64_t> ready_count{0}; // threads in `ready`
    std::atomic<uint64_t> stealable{0};   // ready threads not pinned here, for idle CPUs
    // Runs a thread other than idle, or is about to: set in the same critical section that takes
    // the thread off a queue, before ready_count drops, so a CPU between taking a thread and
    // switching to it never looks unloaded to least_loaded_cpu().
    std::atomic<bool> busy{false};
    SleepList sleeping GUARDED_BY(lock); // sorted by wake_tick
    Thread* current = nullptr;
    Thread* idle = nullptr;
    Thread* previous = nullptr; // the thread switched away from, for finish_switch
    bool need_resched = false;
    bool online = false;
    uint64_t switches = 0;
    uint64_t threads_run = 0;
    uint64_t hand_offs = 0;
    uint64_t syscall_hand_offs = 0;
};

CpuQueue g_cpus[MAX_CPUS];
std::atomic<uint32_t> g_online{0};
std::atomic<uint64_t> g_next_thread_id{1};

// Kernel stacks of exited threads, kept mapped for reuse: a slot is never unmapped, so no other
// CPU can hold a stale translation for it when it is handed out again.
IrqSpinlock g_stack_pool_lock{LockRank::StackPool};
constexpr size_t STACK_POOL_SIZE = 256;
mm::KernelStack g_stack_pool[STACK_POOL_SIZE] GUARDED_BY(g_stack_pool_lock);
size_t g_stack_pool_count GUARDED_BY(g_stack_pool_lock) = 0;

CpuQueue& this_queue() { return g_cpus[cpu_index()]; }

// CPUs come online with dense indices, 0 first (init_cpu), so the online ones are exactly those
// below this count: load balancing looks at them and not at every possible slot.
uint32_t online_cpu_count() { return g_online.load(std::memory_order_acquire); }

void copy_name(Thread& t, lib::StringView name) {
    size_t n = name.length() < sizeof t.name - 1 ? name.length() : sizeof t.name - 1;
    for (size_t i = 0; i < n; ++i)
        t.name[i] = name[i];
    t.name[n] = '\0';
}

std::atomic<uint64_t> g_kernel_stacks{0}; // mapped: running threads' and the pool's

lib::Result<mm::KernelStack> take_stack() {
    {
        Guard guard(g_stack_pool_lock);
        if (g_stack_pool_count)
            return g_stack_pool[--g_stack_pool_count];
    }
    mm::KernelStack stack = TRY(mm::allocate_kernel_stack());
    g_kernel_stacks.fetch_add(1, std::memory_order_relaxed);
    return stack;
}

void give_back_stack(const mm::KernelStack& stack) {
    {
        Guard guard(g_stack_pool_lock);
        if (g_stack_pool_count < STACK_POOL_SIZE) {
            g_stack_pool[g_stack_pool_count++] = stack;
            return;
        }
    }
    mm::free_kernel_stack(stack); // only on one CPU so far; see docs/scheduler.md
    g_kernel_stacks.fetch_sub(1, std::memory_order_relaxed);
}

uint32_t least_loaded_cpu() {
    uint32_t best = cpu_index();
    uint64_t best_load = ~0ull;
    for (uint32_t i = 0, cpus = online_cpu_count(); i < cpus; ++i) {
        if (!g_cpus[i].online)
            continue;
        // ready_count first (acquire): a taken thread counts there or in busy, never in neither.
        uint64_t load = g_cpus[i].ready_count.load(std::memory_order_acquire);
        load += g_cpus[i].busy.load(std::memory_order_relaxed) ? 1 : 0;
        if (load < best_load) {
            best = i;
            best_load = load;
        }
    }
    return best;
}

void kick(uint32_t cpu) {
    if (cpu != cpu_index())
        send_reschedule_ipi(cpu);
}

void enqueue(Thread& thread, uint32_t cpu) {
    CpuQueue& q = g_cpus[cpu];
    // A thread is in at most one queue: queueing it twice would make a list cyclic.
    if (thread.queue_node.is_linked())
        PANIC("sched: thread {} ({}) queued while still in a queue (state {})", thread.id,
              thread.name, thread.state);
    {
        Guard guard(q.lock);
        thread.cpu = cpu;
        thread.state = ThreadState::Ready;
        q.ready.push_back(thread);
        q.ready_count.fetch_add(1, std::memory_order_relaxed);
        if (thread.pinned_cpu == ANY_CPU)
            q.stealable.fetch_add(1, std::memory_order_relaxed);
    }
    kick(cpu);
}

Thread* pop_ready(CpuQueue& q) {
    Guard guard(q.lock);
    Thread* t = q.ready.pop_front();
    if (t) {
        q.busy.store(true, std::memory_order_relaxed);
        q.ready_count.fetch_sub(1, std::memory_order_release);
        if (t->pinned_cpu == ANY_CPU)
            q.stealable.fetch_sub(1, std::memory_order_relaxed);
    }
    return t;
}

// An idle CPU takes one unpinned thread from another CPU that has more than one waiting. The
// last one is left where it is: its CPU was told to run it (a reschedule IPI is on its way), and
// taking it would only move work between two CPUs that are both about to be busy.
constexpr uint64_t STEAL_THRESHOLD = 2;

// Only unpinned threads count: an idle CPU that kept looking at threads it may not take would
// spin on their CPU's run-queue lock (with interrupts off) instead of halting, and starve that
// CPU of its own lock.
bool stealable_from(const CpuQueue& q) {
    return q.online && q.stealable > 0 && q.ready_count >= STEAL_THRESHOLD;
}

Thread* steal() {
    uint32_t self = cpu_index();
    for (uint32_t i = 0, cpus = online_cpu_count(); i < cpus; ++i) {
        if (i == self || !stealable_from(g_cpus[i]))
            continue;
        CpuQueue& victim = g_cpus[i];
        Guard guard(victim.lock);
        // Again under the lock: another thief may have taken one since the unlocked look.
        if (!stealable_from(victim))
            continue;
        for (Thread& t : victim.ready) {
            if (t.pinned_cpu != ANY_CPU)
                continue;
            victim.ready.remove(t);
            g_cpus[self].busy.store(true, std::memory_order_relaxed);
            victim.ready_count.fetch_sub(1, std::memory_order_release);
            victim.stealable.fetch_sub(1, std::memory_order_relaxed);
            t.cpu = self;
            return &t;
        }
    }
    return nullptr;
}

void finish_switch(CpuQueue& q) {
    Thread* prev = q.previous;
    q.previous = nullptr;
    if (!prev)
        return;
    ThreadState state;
    bool requeue;
    {
        // Under block_lock, with the on_cpu flag: a waker either saw on_cpu and left the wake
        // to us (wake_after_switch), or sees it clear and queues the thread itself. Interrupts
        // are off from the switch.
        Guard guard(prev->block_lock, INTERRUPTS_OFF);
        state = prev->state;
        prev->on_cpu.store(false, std::memory_order_release);
        requeue = state == ThreadState::Ready ||
                  (state == ThreadState::Blocked && std::exchange(prev->wake_after_switch, false));
    }
    if (requeue && !prev->is_idle)
        enqueue(*prev, prev->pinned_cpu != ANY_CPU ? prev->pinned_cpu : cpu_index());
    else if (state == ThreadState::Dead) {
        // No CPU runs on the stack any more; the rest of the teardown is the reaper's, outside
        // this critical path.
        // A boot thread runs on its CPU's boot stack, which is not the pool's to reuse.
        if (prev->stack.top.value())
            give_back_stack(prev->stack);
        reap_later(*prev);
    }
}

// finish_switch() after switch_to_claimed_user(), which leaves only one case to finish.
void finish_switch_to_user() {
    CpuQueue& q = this_queue();
    Thread& prev = *q.previous;
    q.previous = nullptr;
    bool requeue;
    {
        // finish_switch()'s section for the one case this switch leaves: the previous thread
        // is the fast path's caller, Blocked, neither idle nor ended. No waker changes the state
        // of a thread still on its CPU (sched::wake leaves it wake_after_switch), so the state
        // needs no look.
        Guard guard(prev.block_lock, INTERRUPTS_OFF);
        prev.on_cpu.store(false, std::memory_order_release);
        requeue = std::exchange(prev.wake_after_switch, false);
    }
    if (requeue)
        enqueue(prev, prev.pinned_cpu != ANY_CPU ? prev.pinned_cpu : cpu_index());
}

// Makes `next`'s address space and kernel stack the CPU's: CR3 (only when it changes, since a
// reload flushes the TLB), the stack SYSCALL switches to, and TSS.rsp0 for interrupts from Ring 3.
void enter_context_of(x86_64::CpuArch& cpu, Thread& next) {
    mm::AddressSpace* space = next.process ? next.process->address_space() : nullptr;
    uint64_t root = space ? space->root().value() : mm::kernel_page_table_root().value();
    if (cpu.current_root != root) {
        cpu.current_root = root;
        cpu::write_cr3(root);
    }
    if (next.stack.top.value()) {
        cpu.syscall_stack_top = next.stack.top.value();
        cpu.tss.rsp[0] = next.stack.top.value();
    }
}

// Everything a switch from `prev` to `next` does before the stacks change hands; inline into
// each kind of switch, which all sit on the fast paths.
// `claimed`: `next` was claimed for a direct switch (claim_for_switch), so it is no idle thread
// and this CPU is its home, i.e. the CPU it last ran on or is pinned to and so ran on: it is
// counted in threads_run already.
template <bool claimed = false>
[[gnu::always_inline]] inline void enter(CpuQueue& q, Thread& prev, Thread& next) {
    // One read of the CPU's block for the whole switch: interrupts are off, the thread stays.
    x86_64::CpuArch& cpu = x86_64::this_cpu();
    next.state = ThreadState::Running;
    next.cpu = cpu.index;
    next.on_cpu.store(true, std::memory_order_relaxed);
    ++next.switches_in;
    if constexpr (!claimed) {
        uint64_t this_cpu_bit = 1ull << cpu.index;
        if (!next.is_idle && !(next.ran_on_cpus & this_cpu_bit)) {
            next.ran_on_cpus |= this_cpu_bit;
            ++q.threads_run;
        }
    }
    ++q.switches;
    q.previous = &prev;
    q.current = &next;
    q.busy.store(claimed || !next.is_idle, std::memory_order_relaxed);
    cpu.current_thread = &next; // set_current_thread()
    enter_context_of(cpu, next);
    x86_64::save_fpu(prev.fpu);
    x86_64::restore_fpu(next.fpu);
#if MNOS_LOCK_RANKS
    // The CPU's record of held lock ranks goes with the thread that holds them: a thread
    // preempted under a plain Spinlock resumes, perhaps elsewhere, still holding it.
    prev.held_locks = cpu.held_locks;
    cpu.held_locks = next.held_locks;
#endif
}

void switch_to(CpuQueue& q, Thread& next) {
    Thread& prev = *q.current;
    if (&next == &prev) {
        prev.state = ThreadState::Running;
        return;
    }
    enter(q, prev, next);
    switch_context(&prev.saved_rsp, next.saved_rsp);
    // Back on `prev`, possibly on another CPU: the queue to finish on is the one we run on now.
    finish_switch(this_queue());
}

// A thread that blocked but was woken before it switched away keeps running.
bool woken_before_switch(Thread& thread) {
    Guard guard(thread.block_lock);
    if (thread.state != ThreadState::Blocked || !thread.wake_after_switch)
        return false;
    thread.wake_after_switch = false;
    thread.state = ThreadState::Running;
    return true;
}

// Picks the next thread and switches to it. Interrupts must be disabled.
void schedule() {
    CpuQueue& q = this_queue();
    q.need_resched = false;
    if (q.current->state == ThreadState::Blocked && woken_before_switch(*q.current))
        return;
    Thread* next = pop_ready(q);
    if (!next)
        next = steal();
    if (!next) {
        if (q.current->state == ThreadState::Running)
            return; // nothing else to run: keep going
        next = q.idle;
    }
    if (q.current->state == ThreadState::Running)
        q.current->state = ThreadState::Ready;
    switch_to(q, *next);
}

[[noreturn]] void idle_loop(void*) {
    for (;;) {
        cpu::disable_interrupts();
        CpuQueue& q = this_queue();
        if (q.ready_count || steal_possible()) {
            q.current->state = ThreadState::Ready; // the idle thread is never queued
            schedule();
            cpu::enable_interrupts();
            continue;
        }
        // sti takes effect after the next instruction, so no interrupt (and no wake-up IPI) can
        // slip in between the check above and the hlt.
        asm volatile("sti; hlt" ::: "memory");
    }
}

Thread* new_thread(lib::StringView name) {
    auto* t = new (std::nothrow) Thread;
    if (!t)
        return nullptr;
    t->id = g_next_thread_id.fetch_add(1);
    copy_name(*t, name);
    x86_64::init_fpu_state(t->fpu);
    return t;
}

lib::Result<Thread*> create(lib::StringView name, Thread::Entry entry, void* argument) {
    Thread* t = new_thread(name);
    if (!t)
        return lib::fail(lib::Error::OutOfMemory);
    auto stack = take_stack();
    if (!stack) {
        delete t;
        return lib::fail(stack.error());
    }
    t->stack = *stack;
    t->entry = entry;
    t->argument = argument;
    // The initial frame switch_context pops: r15, r14, r13, r12 (= the thread), rbx, rbp (= 0, the
    // end of the backtrace chain), then the return address thread_start. The stack is ours and
    // mapped, and the top is 16-byte aligned, so after the ret RSP is 8 mod 16 as at a function
    // entry.
    auto* sp = reinterpret_cast<uint64_t*>(t->stack.top.value());
    *--sp = 0; // padding: keeps thread_start's call ABI-aligned
    *--sp = reinterpret_cast<uint64_t>(&thread_start);
    *--sp = 0;                              // rbp
    *--sp = 0;                              // rbx
    *--sp = reinterpret_cast<uint64_t>(t);  // r12
    *--sp = 0;                              // r13
    *--sp = 0;                              // r14
    *--sp = 0;                              // r15
    t->saved_rsp = reinterpret_cast<uint64_t>(sp);
    return t;
}

} // namespace

void finish_switch_here() { finish_switch(this_queue()); }

bool steal_possible() {
    uint32_t self = cpu_index();
    for (uint32_t i = 0, cpus = online_cpu_count(); i < cpus; ++i)
        if (i != self && stealable_from(g_cpus[i]))
            return true;
    return false;
}

void init_cpu(uint32_t cpu, lib::StringView boot_thread_name, bool boot_thread_is_idle) {
    CpuQueue& q = g_cpus[cpu];
    Thread* boot = new_thread(boot_thread_name);
    Thread* idle = boot;
    if (!boot_thread_is_idle) {
        auto created = create("idle", &idle_loop, nullptr);
        idle = created ? *created : nullptr;
    }
    if (!boot || !idle)
        PANIC("sched: no memory for CPU {}'s first threads", cpu);
    boot->state = ThreadState::Running;
    boot->cpu = cpu;
    boot->pinned_cpu = cpu; // it runs on a boot stack that belongs to this CPU
    boot->on_cpu.store(true);
    idle->is_idle = true;
    idle->pinned_cpu = cpu;
    idle->cpu = cpu;
    q.current = boot;
    q.busy.store(!boot_thread_is_idle, std::memory_order_relaxed);
    q.idle = idle;
    set_current_thread(boot);
    q.online = true;
    g_online.fetch_add(1);
}

lib::Result<Thread*> create_thread(lib::StringView name, Thread::Entry entry, void* argument,
                                   uint32_t cpu, Process* process) {
    if (cpu != ANY_CPU && (cpu >= MAX_CPUS || !g_cpus[cpu].online))
        return lib::fail(lib::Error::InvalidArgument);
    Thread* t = TRY(create(name, entry, argument));
    t->pinned_cpu = cpu;
    if (process) {
        t->process = process;
        t->ipc.cnode = &process->cnode();
    }
    return t;
}

void start_thread(Thread& thread) {
    enqueue(thread, thread.pinned_cpu != ANY_CPU ? thread.pinned_cpu : least_loaded_cpu());
}

void start_thread_on(Thread& thread, uint32_t cpu) {
    if (thread.pinned_cpu != ANY_CPU || cpu >= MAX_CPUS || !g_cpus[cpu].online)
        PANIC("sched: start_thread_on(thread {}, cpu {}): pinned thread or CPU not online",
              thread.id, cpu);
    enqueue(thread, cpu);
}

lib::Result<Thread*> spawn(lib::StringView name, Thread::Entry entry, void* argument, uint32_t cpu,
                           Process* process) {
    Thread* t = TRY(create_thread(name, entry, argument, cpu, process));
    start_thread(*t);
    return t;
}

uint32_t current_cpu() { return cpu_index(); }
uint32_t online_cpus() { return g_online.load(); }
uint64_t ticks() { return irq::ticks(); }

void run_idle() { idle_loop(nullptr); }

void request_reschedule() { this_queue().need_resched = true; }

void interrupt(Thread& thread) {
    // A hint, read without locks: a thread that moves meanwhile reaches the kernel anyway (it
    // was just switched, so it entered it), and an extra IPI only reschedules its target.
    if (thread.on_cpu.load(std::memory_order_acquire))
        kick(thread.cpu);
}

void yield() {
    bool was_enabled = cpu::interrupts_enabled();
    cpu::disable_interrupts();
    schedule();
    if (was_enabled)
        cpu::enable_interrupts();
}

void block_current() {
    CpuQueue& q = this_queue();
    q.current->state = ThreadState::Blocked;
    schedule();
}

// Each blocked thread has exactly one waker: whoever removed it from the queue it waited in.
// A thread still on its CPU (it marked itself Blocked but has not switched away, or its
// registers are still being saved) cannot be queued yet, and the waker does not wait for it:
// wake_after_switch hands the wake to that CPU, which queues the thread in finish_switch, or
// lets it run on if it has not switched yet. No CPU ever spins on another's progress here.
void wake(Thread& thread) {
    {
        Guard guard(thread.block_lock);
        if (thread.state != ThreadState::Blocked)
            PANIC("sched: wake of thread {} ({}) that is not blocked (state {})", thread.id,
                  thread.name, thread.state);
        if (thread.on_cpu.load(std::memory_order_acquire)) {
            thread.wake_after_switch = true;
            return;
        }
    }
    enqueue(thread, home_cpu(thread));
}

// A wake that reaches the caller between its unlock and this switch finds it on_cpu and is left
// to finish_switch on the other side (wake_after_switch), exactly as for schedule().
void switch_to_claimed(Thread& thread, HandOff by) {
    CpuQueue& q = this_queue();
    ++q.hand_offs;
    if (by == HandOff::Syscall)
        ++q.syscall_hand_offs;
    switch_to(q, thread);
}

void switch_to_claimed_user(Thread& thread, syscall::SyscallFrame& frame) {
    CpuQueue& q = this_queue();
    ++q.hand_offs;
    ++q.syscall_hand_offs;
    // Never the running thread: `thread` was Blocked and off every CPU when it was claimed.
    Thread& prev = *q.current;
    enter<true>(q, prev, thread);
    switch_to_user_frame(&prev.saved_rsp, &frame);
    // Back on `prev` by an ordinary switch (its saved registers have switch_context's layout).
    finish_switch(this_queue());
}

// A sleeper waits on its CPU's sleep list under the blocking protocol (blocking.h): the timer
// takes it off the list and is its one partner wake; a killer may wake it first, and then it
// takes itself off the list, or, if the timer got there first, absorbs the timer's wake.
bool sleep_ticks(uint64_t count, BlockMode mode) {
    bool was_enabled = cpu::interrupts_enabled();
    // Off until it blocks: only this CPU's timer looks at its sleep list, so the wake cannot
    // come before the thread is on it and blocking.
    cpu::disable_interrupts();
    CpuQueue& q = this_queue();
    Thread& self = *q.current;
    self.wake_tick = ticks() + count;
    self.sleep_cpu = cpu_index();
    {
        Guard guard(q.lock);
        // Keep the list sorted so the timer only ever looks at its head.
        Thread* before = nullptr;
        for (Thread& t : q.sleeping)
            if (t.wake_tick > self.wake_tick) {
                before = &t;
                break;
            }
        if (before)
            q.sleeping.insert_before(*before, self);
        else
            q.sleeping.push_back(self);
    }
    bool slept = block_until_woken(mode) == BlockResult::Woken;
    if (!slept) {
        CpuQueue& list = g_cpus[self.sleep_cpu];
        bool still_listed;
        {
            Guard guard(list.lock);
            still_listed = self.sleep_node.is_linked();
            if (still_listed)
                list.sleeping.remove(self);
        }
        if (!still_listed)
            (void)block_until_woken(BlockMode::Uninterruptible); // the timer's wake, owed
    }
    if (was_enabled)
        cpu::enable_interrupts();
    return slept;
}

void exit_current() {
    // An IRQ line the thread holds goes back to Idle (masked) for its next holder.
    Thread& self = *current();
    if (object::IrqLine* line = self.irq.held)
        line->relinquish(self.irq);
    cpu::disable_interrupts();
    CpuQueue& q = this_queue();
    q.current->state = ThreadState::Dead;
    schedule();
    PANIC("sched: a dead thread was scheduled");
}

void on_timer_tick() {
    CpuQueue& q = this_queue();
    uint64_t now = ticks();
    for (;;) {
        Thread* t;
        {
            Guard guard(q.lock);
            t = q.sleeping.front();
            if (!t || t->wake_tick > now)
                break;
            q.sleeping.remove(*t);
        }
        wake_blocked(*t);
    }
    q.need_resched = true; // one tick is one quantum
}

void preempt_if_requested() {
    CpuQueue& q = this_queue();
    if (q.need_resched && q.online)
        schedule();
}

uint64_t kernel_stacks() { return g_kernel_stacks.load(std::memory_order_relaxed); }

CpuStats cpu_stats(uint32_t cpu) {
    CpuQueue& q = g_cpus[cpu];
    return {q.switches,  q.threads_run, q.ready_count.load(), q.current == q.idle,
            q.hand_offs, q.syscall_hand_offs};
}

} // namespace kernel::sched

// Where every new thread starts (from thread_start in context_switch.S), with interrupts still
// disabled from the switch that brought it here.
extern "C" [[noreturn]] void thread_first_run(kernel::sched::Thread* self) {
    using namespace kernel::sched;
    finish_switch_here();
    kernel::cpu::enable_interrupts();
    self->entry(self->argument);
    Thread::end_current({});
}

// Where a thread the IPC fast path resumes straight into Ring 3 arrives (switch_to_user_frame,
// syscall_entry.S), on its own kernel stack with interrupts off and the call's outcome already
// in its frame: like thread_first_run, the incoming half of the switch, then what
// syscall_dispatch checks on every way out. Its RIP needs no check: it was canonical at entry
// and the fast path's calls leave it alone.
extern "C" void syscall_resume_user() {
    using namespace kernel::sched;
    finish_switch_to_user();
    Thread& self = *current();
    if (asked_to_end(self)) [[unlikely]] {
        kernel::cpu::enable_interrupts(); // as at syscall_dispatch's own end_if_asked
        end_asked(self);
    }
}
