#include "user/ipc_check/xmm.h"

#include <cstdint>

#include "user/libmnos/print.h"
#include "user/libmnos/syscall.h"

namespace ipc_check {

namespace {

using mnos::CapSlot;
using mnos::IpcMessage;
using mnos::Syscall;

constexpr int XMM_REGISTERS = 16;
constexpr int WORDS = 2 * XMM_REGISTERS; // two 64-bit halves each
constexpr uint64_t STOP = ~0ull;
constexpr int WRONG_REGISTER = -4, FAILED_CALL = -3;

struct alignas(16) XmmState {
    uint64_t words[WORDS];
};

// Every word differs by side, round trip, register and half.
uint64_t pattern(uint64_t side, uint64_t n, int word) {
    uint64_t x = (side << 60) ^ (n << 8) ^ uint64_t(word);
    x *= 0x9e3779b97f4a7c15ull;
    return x ^ (x >> 29);
}

void fill(XmmState& state, uint64_t side, uint64_t n) {
    for (int w = 0; w < WORDS; ++w)
        state.words[w] = pattern(side, n, w);
}

// One IPC syscall (the registers as in libmnos's ipc_raw) with xmm0-xmm15 loaded from `in`
// just before the SYSCALL and stored to `out` just after it, in one asm statement: nothing but
// the kernel runs while they hold the pattern. The message comes back in `message`.
int64_t ipc_with_xmm(Syscall number, CapSlot endpoint, IpcMessage& message, const XmmState& in,
                     XmmState& out) {
    int64_t result;
    register uint64_t rsi asm("rsi") = message.label;
    register uint64_t rdx asm("rdx") = message.words[0];
    register uint64_t r10 asm("r10") = message.words[1];
    register uint64_t r8 asm("r8") = message.words[2];
    register uint64_t r9 asm("r9") = CapSlot::NONE_VALUE;
    register uint64_t r12 asm("r12") = 0;
    register uint64_t r13 asm("r13") = CapSlot::NONE_VALUE;
    // Sound: `in` and `out` are 16-byte aligned arrays of 16 registers' worth (256 bytes), read
    // and written only here; the xmm registers and what SYSCALL clobbers are declared.
    asm volatile("movdqa 0(%[in]), %%xmm0\n\t"
                 "movdqa 16(%[in]), %%xmm1\n\t"
                 "movdqa 32(%[in]), %%xmm2\n\t"
                 "movdqa 48(%[in]), %%xmm3\n\t"
                 "movdqa 64(%[in]), %%xmm4\n\t"
                 "movdqa 80(%[in]), %%xmm5\n\t"
                 "movdqa 96(%[in]), %%xmm6\n\t"
                 "movdqa 112(%[in]), %%xmm7\n\t"
                 "movdqa 128(%[in]), %%xmm8\n\t"
                 "movdqa 144(%[in]), %%xmm9\n\t"
                 "movdqa 160(%[in]), %%xmm10\n\t"
                 "movdqa 176(%[in]), %%xmm11\n\t"
                 "movdqa 192(%[in]), %%xmm12\n\t"
                 "movdqa 208(%[in]), %%xmm13\n\t"
                 "movdqa 224(%[in]), %%xmm14\n\t"
                 "movdqa 240(%[in]), %%xmm15\n\t"
                 "syscall\n\t"
                 "movdqa %%xmm0, 0(%[out])\n\t"
                 "movdqa %%xmm1, 16(%[out])\n\t"
                 "movdqa %%xmm2, 32(%[out])\n\t"
                 "movdqa %%xmm3, 48(%[out])\n\t"
                 "movdqa %%xmm4, 64(%[out])\n\t"
                 "movdqa %%xmm5, 80(%[out])\n\t"
                 "movdqa %%xmm6, 96(%[out])\n\t"
                 "movdqa %%xmm7, 112(%[out])\n\t"
                 "movdqa %%xmm8, 128(%[out])\n\t"
                 "movdqa %%xmm9, 144(%[out])\n\t"
                 "movdqa %%xmm10, 160(%[out])\n\t"
                 "movdqa %%xmm11, 176(%[out])\n\t"
                 "movdqa %%xmm12, 192(%[out])\n\t"
                 "movdqa %%xmm13, 208(%[out])\n\t"
                 "movdqa %%xmm14, 224(%[out])\n\t"
                 "movdqa %%xmm15, 240(%[out])"
                 : "=a"(result), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r12),
                   "+r"(r13)
                 : "a"(uint64_t(number)), "D"(uint64_t(endpoint.index())), [in] "r"(in.words),
                   [out] "r"(out.words)
                 : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                   "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    message.label = rsi;
    message.words[0] = rdx;
    message.words[1] = r10;
    message.words[2] = r8;
    return result;
}

// 0 if `after` is what was loaded, else the FAIL line and its code.
int compare(const char* side, uint64_t n, const XmmState& loaded, const XmmState& after) {
    for (int w = 0; w < WORDS; ++w)
        if (after.words[w] != loaded.words[w]) {
            mnos::println("ipc_check: FAIL {} round trip {}: xmm{} half {} {:#x}, expected {:#x}",
                          side, n, w / 2, w % 2, after.words[w], loaded.words[w]);
            return WRONG_REGISTER;
        }
    return 0;
}

int failed(const char* side, uint64_t n, const char* what, int64_t value) {
    mnos::println("ipc_check: FAIL {} round trip {}: {} {}", side, n, what, value);
    return FAILED_CALL;
}

constexpr uint64_t SERVER = 1, CLIENT = 2;

} // namespace

int serve_xmm(CapSlot endpoint) {
    XmmState loaded, after;
    IpcMessage m;
    fill(loaded, SERVER, 0);
    int64_t result = ipc_with_xmm(Syscall::Recv, endpoint, m, loaded, after);
    for (uint64_t n = 0;; ++n) {
        if (mnos::is_error_result(result))
            return failed("server", n, "IPC error", result);
        if (int bad = compare("server", n, loaded, after))
            return bad;
        if (m.label == STOP)
            return mnos::sys::reply(IpcMessage{}) ? 0 : FAILED_CALL;
        if (m.label != n)
            return failed("server", n, "label", int64_t(m.label));
        m = IpcMessage{};
        m.label = n;
        fill(loaded, SERVER, n + 1);
        result = ipc_with_xmm(Syscall::ReplyRecv, endpoint, m, loaded, after);
    }
}

int client_xmm(CapSlot endpoint) {
    XmmState loaded, after;
    for (uint64_t n = 0; n <= XMM_ROUND_TRIPS; ++n) {
        IpcMessage m;
        m.label = n == XMM_ROUND_TRIPS ? STOP : n;
        fill(loaded, CLIENT, n);
        int64_t result = ipc_with_xmm(Syscall::Call, endpoint, m, loaded, after);
        if (mnos::is_error_result(result))
            return failed("client", n, "IPC error", result);
        if (int bad = compare("client", n, loaded, after))
            return bad;
        if (n < XMM_ROUND_TRIPS && m.label != n)
            return failed("client", n, "reply label", int64_t(m.label));
    }
    mnos::println("ipc_check: PASS sse: {} round trips, xmm0-xmm15 intact on both sides after each",
                  XMM_ROUND_TRIPS);
    return 0;
}

} // namespace ipc_check
