// The four memory functions the compiler may call even in freestanding code
// (struct copies, zero-initialisation). Only the freestanding builds link this file.
#include <cstddef>
#include <cstdint>

extern "C" {

void* memcpy(void* dst, const void* src, size_t n) {
    // Eight bytes a step, then the rest one at a time: as fast as rep movsb on CPUs with ERMSB,
    // faster on the others, and an eighth of the steps where each one counts (QEMU's TCG runs
    // a string instruction's iterations one by one: a screen scroll is 3 MiB). A forward copy
    // is valid for memcpy's disjoint regions, and for memmove's when dst is below src: every
    // word is read before the write that could overlap it, and later reads lie above it.
    void* ret = dst;
    size_t words = n / 8, bytes = n % 8;
    asm volatile("rep movsq\n\tmov %[bytes], %%rcx\n\trep movsb"
                 : "+D"(dst), "+S"(src), "+c"(words)
                 : [bytes] "r"(bytes)
                 : "memory");
    return ret;
}

void* memset(void* dst, int value, size_t n) {
    // rep stosb stores AL n times at RDI; DF is clear per the SysV ABI on every function entry.
    void* ret = dst;
    asm volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(value) : "memory");
    return ret;
}

void* memmove(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    if (d == s || n == 0)
        return dst;
    if (d < s || d >= s + n)
        return memcpy(dst, src, n);
    // dst overlaps the tail of src: copy backwards (DF=1) so no byte is overwritten before it
    // is read, then clear DF again as the ABI requires.
    const unsigned char* s_last = s + n - 1;
    unsigned char* d_last = d + n - 1;
    asm volatile("std\n\trep movsb\n\tcld" : "+D"(d_last), "+S"(s_last), "+c"(n) : : "memory");
    return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
    auto* x = static_cast<const unsigned char*>(a);
    auto* y = static_cast<const unsigned char*>(b);
    for (size_t i = 0; i < n; ++i)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char* s) {
    size_t n = 0;
    while (s[n])
        ++n;
    return n;
}

} // extern "C"
