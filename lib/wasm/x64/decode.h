// Reading one instruction of an already validated function body (the compiler tier's view of
// the Wasm code: opcode and immediates, nothing checked twice).
#pragma once

#include <cstdint>

#include "lib/vector.h"
#include "lib/wasm/reader.h"
#include "lib/wasm/types.h"

namespace wasm::jit {

struct Instr {
    uint8_t op = 0;
    uint32_t sub = 0;  // the 0xfc prefix's sub-opcode
    uint32_t a = 0;    // first index immediate (or memarg alignment)
    uint32_t b = 0;    // second index immediate (or memarg offset)
    int64_t block_type = 0;
    uint64_t imm = 0;  // constants
    ValType type = ValType::I32; // select t, ref.null t
};

// Decodes the instruction at r into `in`; br_table's labels (the default last) go to `labels`.
// False if the bytes do not form an instruction this decoder knows.
bool decode_instr(Reader& r, Instr& in, lib::Vector<uint32_t>& labels);

} // namespace wasm::jit
