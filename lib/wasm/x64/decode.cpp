#include "lib/wasm/x64/decode.h"

#include "lib/wasm/module.h"

namespace wasm::jit {

bool decode_instr(Reader& r, Instr& in, lib::Vector<uint32_t>& labels) {
    in = Instr{};
    if (!r.u8(in.op))
        return false;
    uint8_t byte;
    switch (in.op) {
    case 0x02:
    case 0x03:
    case 0x04: return r.s33(in.block_type);
    case 0x0c:
    case 0x0d:
    case 0x10:
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x24:
    case 0x25:
    case 0x26:
    case 0xd2: return r.u32(in.a);
    case 0x11: return r.u32(in.a) && r.u32(in.b);
    case 0x0e: {
        uint32_t n;
        if (!r.u32(n) || n > r.remaining())
            return false;
        labels.clear();
        for (uint32_t i = 0; i <= n; ++i) {
            uint32_t d;
            if (!r.u32(d) || !labels.push_back(d))
                return false;
        }
        return true;
    }
    case 0x1c: {
        uint32_t n;
        return r.u32(n) && n == 1 && r.u8(byte) && decode_valtype(byte, in.type);
    }
    case 0x3f:
    case 0x40: return r.u8(byte);
    case 0x41: {
        int32_t v;
        if (!r.s32(v))
            return false;
        in.imm = static_cast<uint32_t>(v);
        return true;
    }
    case 0x42: {
        int64_t v;
        if (!r.s64(v))
            return false;
        in.imm = static_cast<uint64_t>(v);
        return true;
    }
    case 0x43: {
        uint32_t v;
        if (!r.fixed32(v))
            return false;
        in.imm = v;
        return true;
    }
    case 0x44: return r.fixed64(in.imm);
    case 0xd0: return r.u8(byte) && decode_valtype(byte, in.type);
    case 0xfc:
        if (!r.u32(in.sub))
            return false;
        switch (in.sub) {
        case 8: return r.u32(in.a) && r.u8(byte);
        case 9:
        case 13:
        case 15:
        case 16:
        case 17: return r.u32(in.a);
        case 10: return r.u8(byte) && r.u8(byte);
        case 11: return r.u8(byte);
        case 12:
        case 14: return r.u32(in.a) && r.u32(in.b);
        default: return in.sub <= 7;
        }
    default:
        if (in.op >= 0x28 && in.op <= 0x3e)
            return r.u32(in.a) && r.u32(in.b);
        return true; // no immediates
    }
}

} // namespace wasm::jit
