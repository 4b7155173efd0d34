#include "kernel/debug/symbols.h"

extern "C" const uint8_t __ksyms_start[];
extern "C" const uint8_t __ksyms_end[];

namespace kernel::symbols {

lib::Result<lib::Symbol> lookup(uint64_t address) {
    // The linker script brackets .ksyms with these two symbols, so the span is exactly the blob.
    std::span<const uint8_t> blob(__ksyms_start, size_t(__ksyms_end - __ksyms_start));
    auto table = TRY(lib::SymbolTable::parse(blob));
    return table.lookup(address);
}

} // namespace kernel::symbols
