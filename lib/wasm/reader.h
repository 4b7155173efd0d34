// A bounds-checked cursor over module bytes. Every read checks the remaining length first and
// reports failure instead of reading past the end; LEB128 reads enforce the spec's maximum
// length and unused-bit rules.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wasm {

class Reader {
public:
    enum class Status : uint8_t { Ok, End, TooLong, TooLarge };

    Reader(const uint8_t* begin, const uint8_t* end, size_t base_offset = 0)
        : begin_(begin), p_(begin), end_(end), base_(base_offset) {}

    size_t offset() const { return base_ + static_cast<size_t>(p_ - begin_); }
    size_t remaining() const { return static_cast<size_t>(end_ - p_); }
    bool at_end() const { return p_ == end_; }
    const uint8_t* pos() const { return p_; }
    const uint8_t* end() const { return end_; }
    Status status() const { return status_; }
    // Where the read that failed began.
    size_t error_offset() const { return base_ + static_cast<size_t>(fail_pos_ - begin_); }

    bool u8(uint8_t& out) {
        if (p_ == end_)
            return fail(Status::End, p_);
        out = *p_++;
        return true;
    }
    bool bytes(size_t n, const uint8_t*& out) {
        if (n > remaining())
            return fail(Status::End, p_);
        out = p_;
        p_ += n;
        return true;
    }
    bool skip(size_t n) {
        const uint8_t* ignored;
        return bytes(n, ignored);
    }
    bool fixed32(uint32_t& out) {
        const uint8_t* b;
        if (!bytes(4, b))
            return false;
        out = static_cast<uint32_t>(b[0]) | static_cast<uint32_t>(b[1]) << 8 |
              static_cast<uint32_t>(b[2]) << 16 | static_cast<uint32_t>(b[3]) << 24;
        return true;
    }
    bool fixed64(uint64_t& out) {
        uint32_t lo, hi;
        if (!fixed32(lo) || !fixed32(hi))
            return false;
        out = static_cast<uint64_t>(hi) << 32 | lo;
        return true;
    }

    bool u32(uint32_t& out) {
        uint64_t v;
        if (!leb(32, false, v))
            return false;
        out = static_cast<uint32_t>(v);
        return true;
    }
    bool s32(int32_t& out) {
        uint64_t v;
        if (!leb(32, true, v))
            return false;
        out = static_cast<int32_t>(static_cast<uint32_t>(v));
        return true;
    }
    bool s33(int64_t& out) {
        uint64_t v;
        if (!leb(33, true, v))
            return false;
        out = static_cast<int64_t>(v);
        return true;
    }
    bool s64(int64_t& out) {
        uint64_t v;
        if (!leb(64, true, v))
            return false;
        out = static_cast<int64_t>(v);
        return true;
    }

private:
    bool fail(Status s, const uint8_t* at) {
        status_ = s;
        fail_pos_ = at;
        return false;
    }

    // Reads an LEB128 number of at most ceil(bits/7) bytes. In the last byte the bits beyond
    // `bits` must be zero (unsigned) or copies of the sign bit (signed).
    bool leb(unsigned bits, bool is_signed, uint64_t& out) {
        const unsigned max_bytes = (bits + 6) / 7;
        const uint8_t* start = p_;
        uint64_t result = 0;
        unsigned shift = 0;
        for (unsigned i = 0;; ++i) {
            uint8_t byte;
            if (p_ == end_)
                return fail(Status::End, start);
            byte = *p_++;
            if (i == max_bytes - 1) {
                if (byte & 0x80)
                    return fail(Status::TooLong, start);
                unsigned used = bits - shift; // value bits in this byte
                uint8_t rest = static_cast<uint8_t>(byte & 0x7f) >> used;
                if (is_signed) {
                    // The sign bit and all unused bits must agree.
                    bool sign = (byte >> (used - 1)) & 1;
                    uint8_t expect = sign ? static_cast<uint8_t>(0x7f >> used) : 0;
                    if (rest != expect)
                        return fail(Status::TooLarge, start);
                } else if (rest != 0) {
                    return fail(Status::TooLarge, start);
                }
            }
            result |= static_cast<uint64_t>(byte & 0x7f) << shift;
            shift += 7;
            if (!(byte & 0x80))
                break;
        }
        if (is_signed && shift < 64 && (result >> (shift - 1)) & 1)
            result |= ~uint64_t{0} << shift;
        out = result;
        return true;
    }

    const uint8_t* begin_;
    const uint8_t* p_;
    const uint8_t* end_;
    size_t base_;
    const uint8_t* fail_pos_ = nullptr;
    Status status_ = Status::Ok;
};

} // namespace wasm
