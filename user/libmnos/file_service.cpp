#include "user/libmnos/file_service.h"

#include "user/libmnos/memory.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/rpc.h"

namespace mnos {

namespace {
constexpr uint64_t BUFFER_BYTES = FileService::BUFFER_PAGES * 4096;
}

lib::Result<FileService> FileService::connect(CapSlot endpoint) {
    FileService service(endpoint);
    TRY(service.attach());
    return service;
}

lib::Result<void> FileService::attach() {
    if (m_buffer) { // the service gave our place away: its old buffer is no use
        free_pages(m_buffer, BUFFER_PAGES);
        m_buffer = nullptr;
    }
    CapSlot window = TRY(names::free_slot());
    rpc::Answer answer = TRY(rpc::call(m_endpoint, fs::Attach, {BUFFER_PAGES}, {}, window));
    CapSlot frame = answer.capability.slot;
    auto mapped = frame.is_none() ? lib::fail(Error::InvalidArgument)
                                  : map_shared(frame, BUFFER_PAGES, true);
    (void)sys::drop_cap(frame); // the mapping keeps the frame
    m_buffer = static_cast<uint8_t*>(TRY(mapped));
    return {};
}

lib::Result<rpc::Answer> FileService::ask(uint64_t method, lib::StringView path, uint64_t a,
                                          uint64_t b) {
    if (path.length() > BUFFER_BYTES)
        return lib::fail(Error::BadAddress);
    for (int attempt = 0;; ++attempt) {
        __builtin_memcpy(m_buffer, path.data(), path.length());
        auto answer = rpc::call(m_endpoint, method, {path.length(), a, b});
        if (answer || answer.error() != Error::NoSlot || attempt == 1)
            return answer;
        TRY(attach()); // the service gave our buffer's place to another client
    }
}

lib::Result<FileStat> FileService::stat(lib::StringView path) {
    rpc::Answer answer = TRY(ask(fs::Stat, path));
    return FileStat{answer.words[0], fs::Kind(answer.words[1])};
}

lib::Result<size_t> FileService::read(lib::StringView path, uint64_t offset,
                                      std::span<uint8_t> out) {
    size_t total = 0;
    while (total < out.size()) {
        uint64_t want = out.size() - total < BUFFER_BYTES ? out.size() - total : BUFFER_BYTES;
        rpc::Answer answer = TRY(ask(fs::Read, path, offset + total, want));
        uint64_t got = answer.words[0] < want ? answer.words[0] : want; // never past our span
        __builtin_memcpy(out.data() + total, m_buffer, got);
        total += got;
        if (got < want)
            break; // the end of the file
    }
    return total;
}

lib::Result<DirectoryEntry> FileService::entry(lib::StringView path, uint64_t index,
                                               std::span<char> name) {
    rpc::Answer answer = TRY(ask(fs::List, path, index));
    uint64_t length = answer.words[0];
    uint64_t copied = length < name.size() ? length : name.size();
    if (copied > BUFFER_BYTES)
        return lib::fail(Error::BadAddress);
    __builtin_memcpy(name.data(), m_buffer, copied);
    return DirectoryEntry{length, answer.words[1], fs::Kind(answer.words[2])};
}

} // namespace mnos
