// A client of the file service (abi/fs.h): read-only files and directories by path, through a
// buffer the service shares with it. The service may give a quiet client's place to another (it
// cannot tell who has ended); a request it refuses for that is attached again and retried.
#pragma once

#include <cstdint>
#include <span>

#include "abi/fs.h"
#include "lib/result.h"
#include "lib/string_view.h"
#include "user/libmnos/rpc.h"

namespace mnos {

struct FileStat {
    uint64_t size;
    fs::Kind kind;
};

struct DirectoryEntry {
    size_t name_length; // of the whole name; what was copied is cut to the caller's buffer
    uint64_t size;
    fs::Kind kind;
};

class FileService {
public:
    static constexpr uint64_t BUFFER_PAGES = fs::MAX_BUFFER_PAGES;

    // Attaches to the service behind `endpoint` (a capability this process keeps; the client
    // does not drop it).
    static lib::Result<FileService> connect(CapSlot endpoint);

    lib::Result<FileStat> stat(lib::StringView path);
    // Up to out.size() bytes at `offset`; 0 at or past the end. InvalidArgument for a directory.
    lib::Result<size_t> read(lib::StringView path, uint64_t offset, std::span<uint8_t> out);
    // The index-th entry directly inside directory `path`; NotFound past the last.
    lib::Result<DirectoryEntry> entry(lib::StringView path, uint64_t index, std::span<char> name);

private:
    explicit FileService(CapSlot endpoint) : m_endpoint(endpoint) {}
    lib::Result<void> attach();
    lib::Result<rpc::Answer> ask(uint64_t method, lib::StringView path, uint64_t a = 0,
                                 uint64_t b = 0);

    CapSlot m_endpoint;
    uint8_t* m_buffer = nullptr; // the service's buffer, mapped here
};

} // namespace mnos
