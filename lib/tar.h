// USTAR archive reader over a byte span: the initrd format. Nothing is allocated and nothing is
// trusted: every header is validated (checksum, octal fields, name termination, data bounds)
// before any of its fields is used. See docs/initrd-and-elf.md.
//
// Failures are Error::Malformed (or Error::NotFound / Error::InvalidArgument from the lookups).
// Every function that can fail takes an optional `reason` out-parameter that receives a short
// static string for the log, e.g. "tar: bad header checksum".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "lib/result.h"
#include "lib/string_view.h"

namespace lib {

inline constexpr size_t TAR_BLOCK_SIZE = 512;
// prefix (155) + '/' + name (100): the longest path a USTAR header can carry.
inline constexpr size_t TAR_MAX_PATH = 155 + 1 + 100;

enum class TarType : uint8_t {
    File,      // typeflag '0' or NUL: data is the file's contents
    Directory, // typeflag '5'
    Other,     // links, devices, FIFOs, pax/GNU extension headers: listed, never opened
};

struct TarEntry {
    char path[TAR_MAX_PATH + 1] = {}; // prefix '/' name, always NUL-terminated
    size_t path_length = 0;
    TarType type = TarType::Other;
    char typeflag = 0;                 // the raw typeflag byte, for Other entries
    uint32_t mode = 0;                 // permission bits from the header
    std::span<const uint8_t> data;     // `size` bytes after the header, inside the archive
    size_t header_offset = 0;          // where the header starts in the archive
};

// Walks an archive entry by entry. next() yields entries until the end-of-archive marker, then
// nullopt on every further call; after an error it keeps returning that error.
class TarReader {
public:
    explicit TarReader(std::span<const uint8_t> archive) : m_archive(archive) {}

    Result<std::optional<TarEntry>> next();

    // Why the last next() failed ("" when it did not): a static string for the log.
    const char* reason() const { return m_reason; }

private:
    Result<std::optional<TarEntry>> fail_with(const char* reason);

    std::span<const uint8_t> m_archive;
    size_t m_offset = 0;
    bool m_done = false;
    const char* m_reason = "";
};

// Validates the whole archive and returns its number of entries.
Result<size_t> tar_validate(std::span<const uint8_t> archive, const char** reason = nullptr);

// Finds the entry named `path` (NUL-terminated). A leading "./" on either side and a trailing
// '/' on either side are ignored, so "bin/init" finds "./bin/init" and "etc" finds "etc/".
// Entries before the match are validated; a malformed header before it is an error, not a
// miss. Error::NotFound if the archive ends without a match.
Result<TarEntry> tar_find(std::span<const uint8_t> archive, const char* path,
                          const char** reason = nullptr);

// The contents of the regular file at `path`. Error::InvalidArgument if the path names a
// directory or any other non-file entry.
Result<std::span<const uint8_t>> tar_open(std::span<const uint8_t> archive, const char* path,
                                          const char** reason = nullptr);

// The archive as a tree, for file services: a directory is an entry of its own or just the
// common prefix of other paths ("bin" when there is only "bin/init"). Paths have no leading
// '/'; "" is the root. Malformed archives are errors, as in tar_find.
struct TarNode {
    bool directory = false;
    std::span<const uint8_t> data; // a file's contents (empty for a directory)
};
Result<TarNode> tar_node(std::span<const uint8_t> archive, StringView path);

// The `index`-th distinct name directly inside `directory`, in archive order, copied into
// `name` (TAR_MAX_PATH + 1 bytes, NUL-terminated). Error::NotFound past the last.
struct TarChild {
    size_t name_length = 0;
    bool directory = false;
    size_t size = 0; // a file's size
};
Result<TarChild> tar_child(std::span<const uint8_t> archive, StringView directory, size_t index,
                           char* name);

} // namespace lib
