// Numeric helpers with exact Wasm semantics, written without libm: the engine must not depend
// on a C library, and baseline x86-64 has no SSE4.1 rounding instructions.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

#include "lib/wasm/types.h"

namespace wasm::num {

using u32 = uint32_t;
using u64 = uint64_t;
using i32 = int32_t;
using i64 = int64_t;
using f32 = float;
using f64 = double;

template <typename F> struct FloatBits;
template <> struct FloatBits<f32> {
    using U = u32;
    static constexpr U sign = 0x80000000u;
    static constexpr f32 two_pow_mant = 8388608.0f; // 2^23: from here on every float is integral
};
template <> struct FloatBits<f64> {
    using U = u64;
    static constexpr U sign = 0x8000000000000000ull;
    static constexpr f64 two_pow_mant = 4503599627370496.0; // 2^52
};

template <typename F> inline F fabs_(F x) {
    using B = FloatBits<F>;
    return std::bit_cast<F>(std::bit_cast<typename B::U>(x) & ~B::sign);
}
template <typename F> inline F fneg(F x) {
    using B = FloatBits<F>;
    return std::bit_cast<F>(std::bit_cast<typename B::U>(x) ^ B::sign);
}
template <typename F> inline F fcopysign(F x, F y) {
    using B = FloatBits<F>;
    using U = typename B::U;
    return std::bit_cast<F>((std::bit_cast<U>(x) & ~B::sign) | (std::bit_cast<U>(y) & B::sign));
}
template <typename F> inline bool is_nan(F x) { return x != x; }

inline f32 fsqrt(f32 x) { return __builtin_elementwise_sqrt(x); } // sqrtss, no errno path
inline f64 fsqrt(f64 x) { return __builtin_elementwise_sqrt(x); } // sqrtsd

// Rounds toward zero. Values at or beyond 2^mantissa are already integers; NaN is quieted by
// the addition (the spec allows any arithmetic NaN there).
template <typename F> inline F ftrunc(F x) {
    using B = FloatBits<F>;
    if (is_nan(x))
        return x + x;
    if (!(fabs_(x) < B::two_pow_mant))
        return x;
    // |x| < 2^52 fits an int64, and the conversion truncates.
    F t = static_cast<F>(static_cast<i64>(x));
    return fcopysign(t, x);
}
template <typename F> inline F ffloor(F x) {
    F t = ftrunc(x);
    if (t > x)
        t -= F(1);
    return t;
}
template <typename F> inline F fceil(F x) {
    F t = ftrunc(x);
    if (t < x)
        t += F(1);
    return fcopysign(t, x); // ceil(-0.5) is -0
}
// Round half to even: adding and subtracting 2^mantissa rounds in the default
// round-to-nearest-even mode, which Wasm code cannot change.
template <typename F> inline F fnearest(F x) {
    using B = FloatBits<F>;
    if (is_nan(x))
        return x + x;
    F a = fabs_(x);
    if (!(a < B::two_pow_mant))
        return x;
    volatile F big = B::two_pow_mant; // keeps the compiler from folding (a + big) - big to a
    F r = (a + big) - big;
    return fcopysign(r, x);
}
template <typename F> inline F fmin_(F a, F b) {
    if (is_nan(a) || is_nan(b))
        return a + b; // a quiet NaN; canonical when the NaN operands are canonical
    if (a == b) {
        using U = typename FloatBits<F>::U;
        return std::bit_cast<F>(std::bit_cast<U>(a) | std::bit_cast<U>(b)); // -0 beats +0
    }
    return a < b ? a : b;
}
template <typename F> inline F fmax_(F a, F b) {
    if (is_nan(a) || is_nan(b))
        return a + b;
    if (a == b) {
        using U = typename FloatBits<F>::U;
        return std::bit_cast<F>(std::bit_cast<U>(a) & std::bit_cast<U>(b)); // +0 beats -0
    }
    return a > b ? a : b;
}

// 2^n as an F, exact for the powers used here (31, 32, 63, 64).
template <typename F> constexpr F pow2(int n) {
    return n >= 64 ? F(1ull << 63) * F(2) : F(1ull << n);
}

// Trapping float -> int conversion: valid exactly when the truncated value lies in the target
// range; -2^(bits-1) and 2^bits are exactly representable, so the comparisons are exact.
template <typename I, typename F> inline TrapKind trunc_checked(F x, I& out) {
    if (is_nan(x))
        return TrapKind::InvalidConversion;
    constexpr bool is_signed = std::numeric_limits<I>::is_signed;
    constexpr int bits = sizeof(I) * 8;
    constexpr F hi = pow2<F>(is_signed ? bits - 1 : bits);
    constexpr F lo = is_signed ? -hi : F(0);
    F t = ftrunc(x);
    if (!(t >= lo && t < hi))
        return TrapKind::IntegerOverflow;
    out = static_cast<I>(t);
    return TrapKind::None;
}

template <typename I, typename F> inline I trunc_sat(F x) {
    if (is_nan(x))
        return 0;
    constexpr bool is_signed = std::numeric_limits<I>::is_signed;
    constexpr int bits = sizeof(I) * 8;
    constexpr F hi = pow2<F>(is_signed ? bits - 1 : bits);
    constexpr F lo = is_signed ? -hi : F(0);
    F t = ftrunc(x);
    if (t >= hi)
        return std::numeric_limits<I>::max();
    if (t < lo)
        return std::numeric_limits<I>::min();
    return static_cast<I>(t);
}

// The trapping integer operations of ops.h: TrapKind::None and the result in `r`, or the trap.
template <typename S, typename U> inline TrapKind div_s(U a, U b, U& r) {
    if (b == 0)
        return TrapKind::IntegerDivideByZero;
    S sa = static_cast<S>(a), sb = static_cast<S>(b);
    if (sa == std::numeric_limits<S>::min() && sb == -1)
        return TrapKind::IntegerOverflow;
    r = static_cast<U>(sa / sb);
    return TrapKind::None;
}
template <typename S, typename U> inline TrapKind rem_s(U a, U b, U& r) {
    if (b == 0)
        return TrapKind::IntegerDivideByZero;
    S sa = static_cast<S>(a), sb = static_cast<S>(b);
    r = sb == -1 ? 0 : static_cast<U>(sa % sb);
    return TrapKind::None;
}
template <typename T, typename U> inline TrapKind div_u(U a, U b, U& r) {
    if (b == 0)
        return TrapKind::IntegerDivideByZero;
    r = a / b;
    return TrapKind::None;
}
template <typename T, typename U> inline TrapKind rem_u(U a, U b, U& r) {
    if (b == 0)
        return TrapKind::IntegerDivideByZero;
    r = a % b;
    return TrapKind::None;
}
template <typename I, typename F, typename O> inline TrapKind trunc_to(F a, O& r) {
    I v;
    TrapKind t = trunc_checked<I>(a, v);
    r = static_cast<O>(v);
    return t;
}

} // namespace wasm::num
