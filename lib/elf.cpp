#include "lib/elf.h"
#include "lib/bytes.h"

#include <bit>

namespace lib {

// Fields are read in the host's byte order after checking ELFDATA2LSB, which is only right on a
// little-endian machine: x86_64, the kernel's and the host tests' architecture alike.
static_assert(std::endian::native == std::endian::little);

namespace {

// ELF constants (System V gABI, x86_64 psABI).
constexpr uint8_t ELFCLASS64 = 2;
constexpr uint8_t ELFDATA2LSB = 1;
constexpr uint8_t EV_CURRENT = 1;
constexpr uint16_t ET_EXEC = 2;
constexpr uint16_t EM_X86_64 = 62;
constexpr uint16_t PN_XNUM = 0xffff;
constexpr uint32_t PT_LOAD = 1;
constexpr uint32_t PT_INTERP = 3;
constexpr uint32_t PF_X = 1;
constexpr uint32_t PF_W = 2;
constexpr uint32_t PF_R = 4;
constexpr size_t EHDR_SIZE = 64;
constexpr size_t PHDR_SIZE = 56;

struct ProgramHeader {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
};

ProgramHeader read_phdr(std::span<const uint8_t> image, size_t at) {
    return {read_le<uint32_t>(image, at + 0),  read_le<uint32_t>(image, at + 4),
            read_le<uint64_t>(image, at + 8),  read_le<uint64_t>(image, at + 16),
            read_le<uint64_t>(image, at + 32), read_le<uint64_t>(image, at + 40),
            read_le<uint64_t>(image, at + 48)};
}

// Collects the failure reason next to the error code, so every return is one line.
class Failer {
public:
    explicit Failer(const char** out) : m_out(out) {}
    std::unexpected<Error> operator()(Error e, const char* reason) const {
        if (m_out)
            *m_out = reason;
        return lib::fail(e);
    }

private:
    const char** m_out;
};

// Checks one PT_LOAD and, if it occupies memory, describes it in `out`. Returns false in
// `occupies` for an empty (p_memsz == 0) segment, which is validated but not loaded.
Result<bool> check_load(std::span<const uint8_t> image, const ProgramHeader& ph,
                        const UserRange& range, LoadSegment& out, const Failer& failed) {
    uint64_t file_end;
    if (__builtin_add_overflow(ph.offset, ph.filesz, &file_end))
        return failed(Error::Overflow, "elf: segment p_offset + p_filesz wraps");
    if (file_end > image.size())
        return failed(Error::Malformed, "elf: segment data runs past the end of the file");
    if (ph.filesz > ph.memsz)
        return failed(Error::Malformed, "elf: segment p_filesz exceeds p_memsz");
    // The gABI requires p_align to be 0, 1 or a power of two with p_vaddr = p_offset modulo
    // p_align. The loader copies instead of mapping file pages, so it does not need the
    // congruence itself, but an image that breaks it was not made by a working linker.
    if (ph.align > 1) {
        if (!std::has_single_bit(ph.align))
            return failed(Error::Malformed, "elf: segment p_align is not a power of two");
        if ((ph.vaddr & (ph.align - 1)) != (ph.offset & (ph.align - 1)))
            return failed(Error::Malformed, "elf: segment p_vaddr and p_offset disagree");
    }
    // W^X: a page the program can both write and execute turns any memory-corruption bug into
    // code injection. Refused even where the file asks for it.
    if ((ph.flags & PF_W) && (ph.flags & PF_X))
        return failed(Error::Unsupported, "elf: writable and executable segment (W^X)");
    if (ph.memsz == 0)
        return false;

    uint64_t mem_end;
    if (__builtin_add_overflow(ph.vaddr, ph.memsz, &mem_end))
        return failed(Error::Overflow, "elf: segment p_vaddr + p_memsz wraps");
    // With min and end page-aligned, this also keeps the page-rounded extent inside the range.
    if (ph.vaddr < range.min.value() || mem_end > range.end.value())
        return failed(Error::BadAddress, "elf: segment outside the user address range");

    out.vaddr = VirtAddr(ph.vaddr);
    out.file_offset = ph.offset;
    out.file_size = ph.filesz;
    out.mem_size = ph.memsz;
    out.flags = {(ph.flags & PF_R) != 0, (ph.flags & PF_W) != 0, (ph.flags & PF_X) != 0};
    return true;
}

} // namespace

Result<ElfImage> elf_parse(std::span<const uint8_t> image, const UserRange& range,
                           const char** reason) {
    Failer failed(reason);
    if (!range.min.is_aligned(PAGE_SIZE) || !range.end.is_aligned(PAGE_SIZE) ||
        range.min >= range.end)
        return failed(Error::InvalidArgument, "elf: user range not page-aligned or empty");

    if (image.size() < EHDR_SIZE)
        return failed(Error::Malformed, "elf: file shorter than the ELF header");
    if (image[0] != 0x7f || image[1] != 'E' || image[2] != 'L' || image[3] != 'F')
        return failed(Error::Malformed, "elf: bad magic");
    if (image[4] != ELFCLASS64)
        return failed(Error::Unsupported, "elf: not ELFCLASS64");
    if (image[5] != ELFDATA2LSB)
        return failed(Error::Unsupported, "elf: not little-endian");
    if (image[6] != EV_CURRENT || read_le<uint32_t>(image, 20) != EV_CURRENT)
        return failed(Error::Malformed, "elf: bad ELF version");
    if (read_le<uint16_t>(image, 16) != ET_EXEC)
        return failed(Error::Unsupported, "elf: not an ET_EXEC executable");
    if (read_le<uint16_t>(image, 18) != EM_X86_64)
        return failed(Error::Unsupported, "elf: not an x86_64 image");
    if (read_le<uint16_t>(image, 52) != EHDR_SIZE)
        return failed(Error::Malformed, "elf: bad e_ehsize");

    uint64_t entry = read_le<uint64_t>(image, 24);
    uint64_t phoff = read_le<uint64_t>(image, 32);
    uint16_t phentsize = read_le<uint16_t>(image, 54);
    uint16_t phnum = read_le<uint16_t>(image, 56);
    if (phentsize != PHDR_SIZE)
        return failed(Error::Malformed, "elf: bad e_phentsize");
    if (phnum == 0)
        return failed(Error::Malformed, "elf: no program headers");
    if (phnum == PN_XNUM)
        return failed(Error::Unsupported, "elf: extended program header numbering");
    uint64_t table_size;
    uint64_t table_end;
    if (__builtin_mul_overflow(uint64_t{phnum}, uint64_t{phentsize}, &table_size) ||
        __builtin_add_overflow(phoff, table_size, &table_end))
        return failed(Error::Overflow, "elf: program header table extent wraps");
    if (table_end > image.size())
        return failed(Error::Malformed, "elf: program header table past the end of the file");

    ElfImage result;
    for (uint16_t i = 0; i < phnum; ++i) {
        ProgramHeader ph = read_phdr(image, static_cast<size_t>(phoff) + size_t{i} * PHDR_SIZE);
        if (ph.type == PT_INTERP)
            return failed(Error::Unsupported, "elf: dynamically linked (PT_INTERP)");
        if (ph.type != PT_LOAD)
            continue;
        LoadSegment segment;
        bool occupies = TRY(check_load(image, ph, range, segment, failed));
        if (!occupies)
            continue;
        if (result.segment_count == ELF_MAX_SEGMENTS)
            return failed(Error::Unsupported, "elf: too many PT_LOAD segments");
        // Insertion keeps the list sorted by address, so overlap is a check of neighbours.
        size_t at = result.segment_count++;
        while (at > 0 && result.segments[at - 1].vaddr > segment.vaddr) {
            result.segments[at] = result.segments[at - 1];
            --at;
        }
        result.segments[at] = segment;
    }
    if (result.segment_count == 0)
        return failed(Error::Malformed, "elf: no loadable segment");

    // Page granularity is what the MMU enforces, so two segments sharing a page would need one
    // set of permissions for both, and loading the second would overwrite the first's bytes.
    // Any overlap of page-rounded extents is rejected; linkers align segments so that none
    // occurs (lld and ld pad to a page boundary between differently protected segments).
    for (size_t i = 1; i < result.segment_count; ++i)
        if (result.segments[i - 1].page_end() > result.segments[i].page_start())
            return failed(Error::Malformed, "elf: segments overlap (at page granularity)");

    bool entry_ok = false;
    for (const LoadSegment& s : result.loads())
        if (s.flags.executable && entry >= s.vaddr.value() && entry - s.vaddr.value() < s.mem_size)
            entry_ok = true;
    if (!entry_ok)
        return failed(Error::Malformed, "elf: entry point outside every executable segment");
    result.entry = VirtAddr(entry);
    return result;
}

Result<void> elf_load(const ElfImage& parsed, std::span<const uint8_t> image,
                      AddressSpaceSink& sink) {
    for (const LoadSegment& s : parsed.loads()) {
        // Guards against a caller pairing an ElfImage with some other, shorter image.
        if (s.file_offset > image.size() || s.file_size > image.size() - s.file_offset)
            return lib::fail(Error::InvalidArgument);
        TRY(sink.map_zeroed(s.page_start(), s.page_count(), s.flags));
        if (s.file_size > 0)
            TRY(sink.copy_to(s.vaddr, image.subspan(s.file_offset, s.file_size)));
        // Nothing else to do for the BSS: the pages came zero-filled and no other segment
        // shares them (elf_parse rejects page-level overlap), so everything past file_size,
        // and the bytes before vaddr in the first page, stays zero.
    }
    return {};
}

Result<VirtAddr> elf_load(std::span<const uint8_t> image, const UserRange& range,
                          AddressSpaceSink& sink, const char** reason) {
    ElfImage parsed = TRY(elf_parse(image, range, reason));
    auto loaded = elf_load(parsed, image, sink);
    if (!loaded) {
        if (reason)
            *reason = "elf: the address space refused a mapping or copy";
        return lib::fail(loaded.error());
    }
    return parsed.entry;
}

Result<StackLayout> build_initial_stack(std::span<uint8_t> buffer, VirtAddr stack_top,
                                        std::span<const char* const> argv,
                                        std::span<const char* const> envp,
                                        std::span<const AuxEntry> auxv) {
    // The ABI wants RSP 16-byte aligned at process entry, and it is derived from stack_top.
    if (!stack_top.is_aligned(16))
        return lib::fail(Error::InvalidArgument);
    for (const AuxEntry& a : auxv)
        if (a.type == AT_NULL) // the terminator is ours to add; an early one would hide the rest
            return lib::fail(Error::InvalidArgument);

    auto string_bytes = [](std::span<const char* const> strings) -> Result<size_t> {
        size_t total = 0;
        for (const char* s : strings) {
            if (s == nullptr)
                return lib::fail(Error::InvalidArgument);
            size_t n = 0;
            while (s[n] != 0)
                ++n;
            if (__builtin_add_overflow(total, n + 1, &total))
                return lib::fail(Error::Overflow);
        }
        return total;
    };
    size_t strings_size = TRY(string_bytes(argv));
    size_t env_strings_size = TRY(string_bytes(envp));

    // argc, argv[] + NULL, envp[] + NULL, (auxv[] + AT_NULL) pairs: all 8-byte words.
    size_t words = 0;
    size_t size = 0;
    if (__builtin_add_overflow(strings_size, env_strings_size, &strings_size) ||
        __builtin_add_overflow(size_t{3} + argv.size(), envp.size(), &words) ||
        __builtin_add_overflow(words, 2 * (auxv.size() + 1), &words) ||
        __builtin_mul_overflow(words, size_t{8}, &size) ||
        __builtin_add_overflow(size, strings_size, &size) ||
        __builtin_add_overflow(size, size_t{15}, &size))
        return lib::fail(Error::Overflow);
    // stack_top is 16-aligned, so rounding the used size up to 16 puts RSP on a 16 boundary.
    size &= ~size_t{15};
    if (size > buffer.size() || size > stack_top.value())
        return lib::fail(Error::Overflow);

    // Buffer index of a user address in [stack_top - size, stack_top).
    size_t base = buffer.size() - size;
    VirtAddr sp = stack_top - size;
    auto index = [&](VirtAddr a) { return base + static_cast<size_t>(a - sp); };
    for (size_t i = base; i < buffer.size(); ++i) // the padding is zero, not stale buffer bytes
        buffer[i] = 0;

    VirtAddr word = sp;
    auto put_word = [&](uint64_t value) {
        __builtin_memcpy(buffer.data() + index(word), &value, sizeof value);
        word += 8;
    };
    VirtAddr string = stack_top - strings_size;
    auto put_strings = [&](std::span<const char* const> strings) {
        for (const char* s : strings) {
            put_word(string.value());
            size_t n = 0;
            while (s[n] != 0)
                ++n;
            __builtin_memcpy(buffer.data() + index(string), s, n + 1);
            string += n + 1;
        }
        put_word(0);
    };

    StackLayout layout;
    layout.stack_pointer = sp;
    layout.argc = argv.size();
    layout.size = size;
    put_word(argv.size());
    layout.argv = word;
    put_strings(argv);
    layout.envp = word;
    put_strings(envp);
    layout.auxv = word;
    for (const AuxEntry& a : auxv) {
        put_word(a.type);
        put_word(a.value);
    }
    put_word(AT_NULL);
    put_word(0);
    return layout;
}

} // namespace lib
