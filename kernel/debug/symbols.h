// Symbol lookup in the table embedded in the kernel image at build time (section .ksyms).
#pragma once

#include <cstdint>

#include "lib/symbol_table.h"

namespace kernel::symbols {

lib::Result<lib::Symbol> lookup(uint64_t address);

} // namespace kernel::symbols
