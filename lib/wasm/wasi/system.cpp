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

// The shared shape of the two clock functions: check the clock id and the u64 slot at ptr,
// ask the host with `query`, store its answer. EINVAL, EFAULT or the host's errno otherwise.
template <typename Query> Trap clock_query(HostCall& call, uint32_t ptr, Query query) {
    auto id = clock_id(call.arg_i32(0));
    if (!id)
        return done(call, Errno::Inval);
    GuestMemory mem = memory(call);
    if (!mem.contains(ptr, 8))
        return done(call, Errno::Fault);
    TimeResult time = query(*id);
    if (!time)
        return done(call, time.error());
    mem.store_u64(ptr, *time);
    return done(call, Errno::Success);
}

} // namespace

// clock_time_get(id, precision: u64, time: *u64)
Trap clock_time_get(HostCall& call) {
    uint64_t precision = call.arg_i64(1);
    return clock_query(call, call.arg_i32(2), [&](ClockId id) {
        return self(call).host().clock_time(id, precision);
    });
}

// clock_res_get(id, resolution: *u64)
Trap clock_res_get(HostCall& call) {
    return clock_query(call, call.arg_i32(1),
                       [&](ClockId id) { return self(call).host().clock_resolution(id); });
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
