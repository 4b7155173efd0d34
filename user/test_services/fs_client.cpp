// The file service's boot test (tests/boot, init-fs): reads /data/big.bin (1 MiB the build made)
// through tarfs and checks it against the checksum the build wrote beside it, lists
// directories, and sends the requests tarfs must refuse. Exits with its failure count.
#include "abi/fs.h"
#include "abi/init.h"
#include "user/libmnos/memory.h"
#include "user/libmnos/name_service.h"
#include "user/libmnos/print.h"

namespace {

using lib::StringView;
using mnos::CapSlot;
using mnos::Error;
namespace fs = mnos::fs;
namespace rpc = mnos::rpc;
namespace sys = mnos::sys;

constexpr CapSlot FS{mnos::CNODE_SLOTS - 1};
constexpr uint64_t BUFFER_PAGES = 16;
constexpr size_t BUFFER_BYTES = BUFFER_PAGES * 4096;

char* g_buffer;
int g_failures = 0;

void check(bool ok, const char* what) {
    if (!ok)
        ++g_failures;
    mnos::println("fs-client: {} {}", ok ? "PASS" : "FAIL", what);
}

lib::Result<rpc::Answer> ask_without_buffer(uint64_t method) { return rpc::call(FS, method, {1}); }

lib::Result<rpc::Answer> ask(uint64_t method, StringView path, uint64_t a = 0, uint64_t b = 0) {
    __builtin_memcpy(g_buffer, path.data(), path.length());
    return rpc::call(FS, method, {path.length(), a, b});
}

// FNV-1a, 64 bits: what tools/make-data writes for the file.
uint64_t fnv1a(uint64_t hash, const uint8_t* data, size_t length) {
    for (size_t i = 0; i < length; ++i)
        hash = (hash ^ data[i]) * 0x100000001b3;
    return hash;
}

uint64_t parse_hex(StringView text) {
    uint64_t value = 0;
    for (char c : text) {
        if (c >= '0' && c <= '9')
            value = value * 16 + uint64_t(c - '0');
        else if (c >= 'a' && c <= 'f')
            value = value * 16 + uint64_t(c - 'a' + 10);
        else
            break;
    }
    return value;
}

bool listing_has(StringView directory, StringView wanted, fs::Kind kind, size_t* count) {
    bool found = false;
    *count = 0;
    for (uint64_t i = 0;; ++i) {
        auto entry = ask(fs::List, directory, i);
        if (!entry)
            break;
        ++*count;
        StringView name(g_buffer, entry->words[0]);
        mnos::println("fs-client:   {}{}{}{} {}", directory, directory == StringView("/") ? "" : "/", name,
                      entry->words[2] == uint64_t(fs::Kind::Directory) ? "/" : "",
                      entry->words[1]);
        if (name == wanted && entry->words[2] == uint64_t(kind))
            found = true;
    }
    return found;
}

} // namespace

int main(int, char**) {
    if (!mnos::names::wait_for(fs::SERVICE, FS)) {
        mnos::println("fs-client: no file service");
        return 1;
    }
    constexpr CapSlot WINDOW{mnos::CNODE_SLOTS - 2};
    check(rpc::call(FS, fs::Attach, {0}, {}, WINDOW).error() == Error::InvalidArgument &&
              rpc::call(FS, fs::Attach, {fs::MAX_BUFFER_PAGES + 1}, {}, WINDOW).error() ==
                  Error::InvalidArgument,
          "a buffer of no pages or too many is refused");
    check(ask_without_buffer(fs::Stat).error() == Error::NoSlot, "a request before Attach is refused");
    auto attached = rpc::call(FS, fs::Attach, {BUFFER_PAGES}, {}, WINDOW);
    auto mapped = attached ? mnos::map_shared(WINDOW, BUFFER_PAGES, true)
                           : lib::Result<void*>(lib::fail(attached.error()));
    check(mapped.has_value(), "the service's buffer is attached and mapped");
    if (!mapped)
        return g_failures;
    g_buffer = static_cast<char*>(*mapped);

    auto stat = ask(fs::Stat, "/data/big.bin");
    check(stat && stat->words[0] == 1024 * 1024 && stat->words[1] == uint64_t(fs::Kind::File),
          "/data/big.bin is a file of 1 MiB");
    uint64_t hash = 0xcbf29ce484222325, total = 0;
    while (true) {
        auto read = ask(fs::Read, "/data/big.bin", total, BUFFER_BYTES);
        if (!read || read->words[0] == 0)
            break;
        hash = fnv1a(hash, reinterpret_cast<const uint8_t*>(g_buffer), read->words[0]);
        total += read->words[0];
    }
    auto expected = ask(fs::Read, "/data/big.bin.fnv1a", 0, 64);
    uint64_t want = expected ? parse_hex(StringView(g_buffer, expected->words[0])) : 0;
    mnos::println("fs-client: read {} bytes, FNV-1a {:#x}, the build says {:#x}", total, hash, want);
    check(total == 1024 * 1024 && want != 0 && hash == want,
          "the 1 MiB file read through tarfs has the build's checksum");

    size_t count = 0;
    check(listing_has("/bin", "shell", fs::Kind::File, &count) && count > 10,
          "/bin lists its programs");
    check(listing_has("/etc", "test", fs::Kind::Directory, &count), "/etc lists its directory test");
    check(listing_has("/", "data", fs::Kind::Directory, &count) && count == 4,
          "/ lists bench, bin, data and etc");

    check(ask(fs::Stat, "/no/such/file").error() == Error::NotFound, "a missing file is NotFound");
    check(ask(fs::Read, "/bin").error() == Error::InvalidArgument, "reading a directory is refused");
    check(rpc::call(FS, fs::Stat, {BUFFER_BYTES + 1}).error() == Error::BadAddress,
          "a path longer than the buffer is refused");
    check(ask(fs::Read, "/data/big.bin", 0, BUFFER_BYTES + 1).error() == Error::BadAddress,
          "a read larger than the buffer is refused");
    auto past = ask(fs::Read, "/data/big.bin", ~0ull, 16);
    check(past && past->words[0] == 0, "a read past the end reads nothing");
    check(ask(fs::List, "/data/big.bin").error() == Error::InvalidArgument,
          "listing a file is refused");
    mnos::println("fs-client: {} failure(s)", g_failures);
    return g_failures;
}
