// Run-time helpers that compiled code calls for what it does not emit inline (engine-internal).
//
// Every helper has one signature: compiled code stores the operands in the outgoing area at
// the bottom of its frame, passes its address as `slots`, and reads the results back from the
// same place. A helper returns TrapKind::None or the trap to raise.
#pragma once

#include <cstdint>

#include "lib/wasm/exec.h"

namespace wasm::jit {

using Helper = TrapKind (*)(Exec* ex, uint64_t* slots, Instance* inst, uint64_t imm);

// A numeric instruction (the single-byte opcodes of ops.h), or nullptr.
Helper numeric_helper(uint8_t opcode);
// A saturating truncation (0xfc prefix, sub-opcode 0-7), or nullptr.
Helper sat_helper(uint32_t sub);

// imm: function index in inst's index space.
TrapKind call_index(Exec* ex, uint64_t* slots, Instance* inst, uint64_t imm);
// imm: the Function* itself (call_indirect to a function without code of this instance).
TrapKind call_function(Exec* ex, uint64_t* slots, Instance* inst, uint64_t imm);
TrapKind memory_grow(Exec* ex, uint64_t* slots, Instance* inst, uint64_t imm);
TrapKind memory_fill(Exec* ex, uint64_t* slots, Instance* inst, uint64_t imm);
TrapKind memory_copy(Exec* ex, uint64_t* slots, Instance* inst, uint64_t imm);
TrapKind memory_init(Exec* ex, uint64_t* slots, Instance* inst, uint64_t imm); // imm: segment
TrapKind data_drop(Exec* ex, uint64_t* slots, Instance* inst, uint64_t imm);   // imm: segment

} // namespace wasm::jit
