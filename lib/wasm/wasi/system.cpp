// Clocks, randomness and the process: clock_time_get, clock_res_get, random_get, proc_exit
// and sched_yield, each passed on to the WasiHost after its arguments are checked.
#include <cstdint>
#include <optional>

#include "lib/wasm/wasi/functions.h"

namespace wasm::wasi::detail {

namespace {

std::optional<ClockId> clock_id(uint32_t raw) {
    if (raw > static_cast<uint32_t>(ClockId::ThreadCpuTime))
        return std::nullopt;
    return static_cast<ClockId>(raw);
}

// Stores a host time result at ptr: its errno, or Fault when ptr is outside memory.
Trap store_time(HostCall& call, uint32_t ptr, TimeResult time) {
    if (!time)
        return done(call, time.error());
    GuestMemory mem = memory(call);
    return done(call, mem.store_u64(ptr, *time) ? Errno::Success : Errno::Fault);
}

} // namespace

// clock_time_get(id, precision: u64, time: *u64)
Trap clock_time_get(HostCall& call) {
    auto id = clock_id(call.arg_i32(0));
    uint32_t ptr = call.arg_i32(2);
    if (!id)
        return done(call, Errno::Inval);
    if (!memory(call).contains(ptr, 8))
        return done(call, Errno::Fault);
    return store_time(call, ptr, self(call).host().clock_time(*id, call.arg_i64(1)));
}

// clock_res_get(id, resolution: *u64)
Trap clock_res_get(HostCall& call) {
    auto id = clock_id(call.arg_i32(0));
    uint32_t ptr = call.arg_i32(1);
    if (!id)
        return done(call, Errno::Inval);
    if (!memory(call).contains(ptr, 8))
        return done(call, Errno::Fault);
    return store_time(call, ptr, self(call).host().clock_resolution(*id));
}

// random_get(buf, len)
Trap random_get(HostCall& call) {
    auto buf = memory(call).bytes(call.arg_i32(0), call.arg_i32(1));
    if (!buf)
        return done(call, Errno::Fault);
    return done(call, self(call).host().random(*buf));
}

// proc_exit(code): never returns to the guest. The exit "trap" unwinds every Wasm frame and
// reaches the embedder as Trap::exit(code).
Trap proc_exit(HostCall& call) {
    uint32_t code = call.arg_i32(0);
    self(call).host().exit(code);
    return Trap::exit(static_cast<int32_t>(code));
}

// One guest thread and nothing to yield to.
Trap sched_yield(HostCall& call) { return done(call, Errno::Success); }

} // namespace wasm::wasi::detail
