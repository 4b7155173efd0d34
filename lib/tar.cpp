#include "lib/tar.h"

namespace lib {

namespace {

// Offsets and widths of the USTAR header fields (POSIX.1-1988, pax "ustar Interchange Format").
struct Field {
    size_t offset;
    size_t width;
};
constexpr Field NAME{0, 100};
constexpr Field MODE{100, 8};
constexpr Field UID{108, 8};
constexpr Field GID{116, 8};
constexpr Field SIZE{124, 12};
constexpr Field MTIME{136, 12};
constexpr Field CHKSUM{148, 8};
constexpr size_t TYPEFLAG = 156;
constexpr Field MAGIC{257, 6};
constexpr Field DEVMAJOR{329, 8};
constexpr Field DEVMINOR{337, 8};
constexpr Field PREFIX{345, 155};

using Block = std::span<const uint8_t, TAR_BLOCK_SIZE>;

bool is_zero_block(Block block) {
    for (uint8_t b : block)
        if (b != 0)
            return false;
    return true;
}

bool is_filler(uint8_t c) { return c == 0 || c == ' '; }

// An octal number: optional leading spaces, octal digits, then at least one NUL or space, and
// nothing but NULs and spaces up to the end of the field. A field with no digits at all is
// "empty", which only some fields may be. A field filled with digits (no terminator) and
// GNU's base-256 encoding (high bit set) are rejected: neither is USTAR, and the terminator
// rule is what keeps a field from silently running into the next one.
std::optional<uint64_t> parse_octal(Block block, Field field, bool allow_empty) {
    const uint8_t* p = block.data() + field.offset;
    size_t i = 0;
    while (i < field.width && p[i] == ' ')
        ++i;
    uint64_t value = 0;
    size_t digits = 0;
    for (; i < field.width && p[i] >= '0' && p[i] <= '7'; ++i, ++digits) {
        // Three more bits must fit; widths here make this unreachable, but the parser must not
        // rely on a caller passing a narrow field.
        if (value > (UINT64_MAX >> 3))
            return std::nullopt;
        value = (value << 3) | static_cast<uint64_t>(p[i] - '0');
    }
    if (digits > 0 && i == field.width)
        return std::nullopt; // no terminator
    for (; i < field.width; ++i)
        if (!is_filler(p[i]))
            return std::nullopt;
    if (digits == 0 && !allow_empty)
        return std::nullopt;
    return value;
}

// Length of a string field: up to its first NUL, or the whole width when it exactly fills it.
size_t string_length(Block block, Field field) {
    const uint8_t* p = block.data() + field.offset;
    size_t n = 0;
    while (n < field.width && p[n] != 0)
        ++n;
    return n;
}

// The checksum is the sum of all header bytes with the checksum field itself read as eight
// spaces. POSIX says unsigned bytes; some historic writers summed signed chars, and readers
// conventionally accept either.
bool checksum_matches(Block block, uint64_t stored) {
    uint64_t unsigned_sum = 0;
    int64_t signed_sum = 0;
    for (size_t i = 0; i < TAR_BLOCK_SIZE; ++i) {
        uint8_t b = (i >= CHKSUM.offset && i < CHKSUM.offset + CHKSUM.width) ? ' ' : block[i];
        unsigned_sum += b;
        signed_sum += static_cast<int8_t>(b);
    }
    return stored == unsigned_sum || static_cast<int64_t>(stored) == signed_sum;
}

TarType classify(char typeflag) {
    if (typeflag == '0' || typeflag == '\0')
        return TarType::File;
    if (typeflag == '5')
        return TarType::Directory;
    return TarType::Other;
}

void set_reason(const char** out, const char* reason) {
    if (out)
        *out = reason;
}

// A path with any leading "./" and trailing '/' removed: the form lookups compare.
struct Trimmed {
    const char* start;
    size_t length;
};

Trimmed trim_path(const char* s, size_t n) {
    while (n >= 2 && s[0] == '.' && s[1] == '/') {
        s += 2;
        n -= 2;
    }
    while (n > 0 && s[n - 1] == '/')
        --n;
    return {s, n};
}

bool same_path(const TarEntry& entry, const char* query) {
    size_t query_length = 0;
    while (query[query_length] != 0)
        ++query_length;
    Trimmed a = trim_path(entry.path, entry.path_length);
    Trimmed b = trim_path(query, query_length);
    if (a.length != b.length)
        return false;
    for (size_t i = 0; i < a.length; ++i)
        if (a.start[i] != b.start[i])
            return false;
    return true;
}

} // namespace

Result<std::optional<TarEntry>> TarReader::fail_with(const char* reason) {
    // Sticky: a reader past a corrupt header has no trustworthy position to continue from.
    m_reason = reason;
    m_done = true;
    return lib::fail(Error::Malformed);
}

Result<std::optional<TarEntry>> TarReader::next() {
    if (m_done) {
        if (m_reason[0] != 0)
            return lib::fail(Error::Malformed);
        return std::optional<TarEntry>{};
    }
    // m_offset <= size() always holds: it only ever advances to a bounds-checked position.
    size_t remaining = m_archive.size() - m_offset;
    if (remaining == 0)
        return fail_with("tar: archive ends without the end-of-archive blocks");
    if (remaining < TAR_BLOCK_SIZE)
        return fail_with("tar: truncated header");
    Block block = m_archive.subspan(m_offset).first<TAR_BLOCK_SIZE>();

    if (is_zero_block(block)) {
        // The end is two zero blocks; a single zero block at the very end of the data is
        // accepted (some writers omit the second). Anything after the end is ignored.
        size_t after = remaining - TAR_BLOCK_SIZE;
        if (after >= TAR_BLOCK_SIZE &&
            !is_zero_block(m_archive.subspan(m_offset + TAR_BLOCK_SIZE).first<TAR_BLOCK_SIZE>()))
            return fail_with("tar: lone zero block followed by more headers");
        m_done = true;
        return std::optional<TarEntry>{};
    }

    // The checksum first: until it matches, no other field means anything.
    auto stored_checksum = parse_octal(block, CHKSUM, false);
    if (!stored_checksum)
        return fail_with("tar: checksum field is not an octal number");
    if (!checksum_matches(block, *stored_checksum))
        return fail_with("tar: bad header checksum");

    // "ustar\0" (POSIX, version "00") or "ustar " (GNU, version " \0"). Only POSIX headers
    // have a prefix field; in GNU headers those bytes hold other data.
    const uint8_t* magic = block.data() + MAGIC.offset;
    bool posix = magic[5] == 0;
    if (magic[0] != 'u' || magic[1] != 's' || magic[2] != 't' || magic[3] != 'a' ||
        magic[4] != 'r' || !(magic[5] == 0 || magic[5] == ' '))
        return fail_with("tar: not a USTAR header");

    auto mode = parse_octal(block, MODE, false);
    auto size = parse_octal(block, SIZE, false);
    if (!mode || !size)
        return fail_with("tar: mode or size is not an octal number");
    if (!parse_octal(block, UID, true) || !parse_octal(block, GID, true) ||
        !parse_octal(block, MTIME, true) || !parse_octal(block, DEVMAJOR, true) ||
        !parse_octal(block, DEVMINOR, true))
        return fail_with("tar: malformed numeric field");
    if (*mode > 07777777)
        return fail_with("tar: mode out of range");

    TarEntry entry;
    size_t name_length = string_length(block, NAME);
    if (name_length == 0)
        return fail_with("tar: empty name");
    size_t prefix_length = posix ? string_length(block, PREFIX) : 0;
    size_t n = 0;
    if (prefix_length > 0) {
        __builtin_memcpy(entry.path, block.data() + PREFIX.offset, prefix_length);
        n = prefix_length;
        entry.path[n++] = '/';
    }
    __builtin_memcpy(entry.path + n, block.data() + NAME.offset, name_length);
    n += name_length;
    entry.path[n] = 0; // n <= 155 + 1 + 100 = TAR_MAX_PATH
    entry.path_length = n;

    // Data plus padding to the next block boundary must lie inside the archive. The round-up is
    // checked before it is computed, so a huge size cannot wrap into a small one.
    size_t data_offset = m_offset + TAR_BLOCK_SIZE;
    size_t data_room = m_archive.size() - data_offset;
    if (*size > UINT64_MAX - (TAR_BLOCK_SIZE - 1))
        return fail_with("tar: entry size overflows");
    uint64_t padded = (*size + TAR_BLOCK_SIZE - 1) & ~uint64_t{TAR_BLOCK_SIZE - 1};
    if (padded > data_room)
        return fail_with("tar: entry data runs past the end of the archive");

    entry.typeflag = static_cast<char>(block[TYPEFLAG]);
    entry.type = classify(entry.typeflag);
    entry.mode = static_cast<uint32_t>(*mode);
    entry.data = m_archive.subspan(data_offset, static_cast<size_t>(*size));
    entry.header_offset = m_offset;
    m_offset = data_offset + static_cast<size_t>(padded);
    return std::optional<TarEntry>{entry};
}

Result<size_t> tar_validate(std::span<const uint8_t> archive, const char** reason) {
    TarReader reader(archive);
    size_t count = 0;
    for (;;) {
        auto entry = reader.next();
        if (!entry) {
            set_reason(reason, reader.reason());
            return lib::fail(entry.error());
        }
        if (!*entry)
            return count;
        ++count;
    }
}

Result<TarEntry> tar_find(std::span<const uint8_t> archive, const char* path,
                          const char** reason) {
    if (path == nullptr) {
        set_reason(reason, "tar: null path");
        return lib::fail(Error::InvalidArgument);
    }
    TarReader reader(archive);
    for (;;) {
        auto entry = reader.next();
        if (!entry) {
            set_reason(reason, reader.reason());
            return lib::fail(entry.error());
        }
        if (!*entry) {
            set_reason(reason, "tar: no such path");
            return lib::fail(Error::NotFound);
        }
        if (same_path(**entry, path))
            return **entry;
    }
}

Result<std::span<const uint8_t>> tar_open(std::span<const uint8_t> archive, const char* path,
                                          const char** reason) {
    TarEntry entry = TRY(tar_find(archive, path, reason));
    if (entry.type != TarType::File) {
        set_reason(reason, "tar: not a regular file");
        return lib::fail(Error::InvalidArgument);
    }
    return entry.data;
}

namespace {

// An entry's path without a leading "./" or trailing '/'.
StringView tree_path(const TarEntry& entry) {
    StringView path(entry.path, entry.path_length);
    if (path.starts_with("./"))
        path = path.substring(2);
    while (!path.is_empty() && path[path.length() - 1] == '/')
        path = path.substring(0, path.length() - 1);
    return path;
}

// The name directly inside `directory` that `path` lies under, if it does ("" otherwise), and
// whether more of the path follows it (then it is a directory).
StringView child_of(StringView directory, StringView path, bool& deeper) {
    size_t prefix = directory.is_empty() ? 0 : directory.length() + 1;
    if (prefix && !(path.length() > prefix && path.starts_with(directory) &&
                    path[directory.length()] == '/'))
        return {};
    StringView rest = path.substring(prefix);
    size_t slash = rest.find('/');
    deeper = slash < rest.length();
    return rest.substring(0, slash);
}

} // namespace

Result<TarNode> tar_node(std::span<const uint8_t> archive, StringView path) {
    if (path.is_empty())
        return TarNode{true, {}};
    TarReader reader(archive);
    bool prefix_of_something = false;
    for (;;) {
        auto entry = TRY(reader.next());
        if (!entry)
            break;
        StringView name = tree_path(*entry);
        if (name == path)
            return TarNode{entry->type == TarType::Directory, entry->type == TarType::Directory
                                                                   ? std::span<const uint8_t>()
                                                                   : entry->data};
        if (name.length() > path.length() && name.starts_with(path) && name[path.length()] == '/')
            prefix_of_something = true;
    }
    if (prefix_of_something)
        return TarNode{true, {}};
    return lib::fail(Error::NotFound);
}

Result<TarChild> tar_child(std::span<const uint8_t> archive, StringView directory, size_t index,
                           char* name) {
    TarReader reader(archive);
    size_t seen = 0;
    for (;;) {
        auto entry = TRY(reader.next());
        if (!entry)
            return lib::fail(Error::NotFound);
        bool deeper = false;
        StringView child = child_of(directory, tree_path(*entry), deeper);
        if (child.is_empty())
            continue;
        // Counted at its first appearance: look for the same name in an earlier entry.
        bool earlier = false;
        TarReader again(archive);
        for (;;) {
            auto other = TRY(again.next());
            if (!other || other->header_offset >= entry->header_offset)
                break;
            bool ignored = false;
            if (child_of(directory, tree_path(*other), ignored) == child) {
                earlier = true;
                break;
            }
        }
        if (earlier || seen++ != index)
            continue;
        for (size_t i = 0; i < child.length(); ++i)
            name[i] = child[i];
        name[child.length()] = '\0';
        bool is_directory = deeper || entry->type == TarType::Directory;
        return TarChild{child.length(), is_directory, is_directory ? 0 : entry->data.size()};
    }
}

} // namespace lib
