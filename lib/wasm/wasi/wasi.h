// WASI preview 1 over the Wasm engine: the host functions of the module
// "wasi_snapshot_preview1" that a wasm32-wasi C program (wasi-libc) imports, implemented against
// a WasiHost the embedder supplies. Freestanding: it runs in host tools and in MinimalOS alike.
//
//   MyHost host;                                   // implements wasi::WasiHost
//   const char* argv[] = {"prog.wasm", "hello"};
//   wasi::Wasi wasi(host, {.args = argv, .env = {}});
//   wasm::Store store(allocator);
//   auto module = store.load(bytes);
//   wasm::Linker linker(allocator);
//   wasi.define(store, linker);                    // every function this layer implements
//   wasi.define_missing(store, **module, linker);  // ENOSYS stubs for the rest it imports
//   auto instance = store.instantiate(**module, linker);
//   wasm::Trap t = wasi.run_start(**instance);     // _start; t.is_exit() after proc_exit
//   int status = wasi::exit_status(t);             // 0, the proc_exit code, or -1 on a trap
//
// File descriptors: 0 (stdin, read), 1 (stdout) and 2 (stderr, write) exist, as character
// devices. When the host has files (WasiHost::files()), fd 3 is the preopened directory "/" and
// path_open gives read-only descriptors from 4 on for its files and directories (read, seek,
// tell, filestat, readdir); otherwise the file-system functions answer EBADF. Functions the
// layer does not implement at all answer ENOSYS.
#pragma once

#include <cstdint>
#include <span>

#include "lib/wasm/engine.h"
#include "lib/wasm/wasi/abi.h"
#include "lib/wasm/wasi/host.h"

namespace wasm::wasi {

// Names are built at compile time: Name's constructor from a C string calls strlen otherwise.
constexpr Name kModuleName{"wasi_snapshot_preview1"};
constexpr Name kStartName{"_start"};

// Not copied: the arrays and strings must outlive the Wasi object.
struct WasiOptions {
    std::span<const char* const> args; // argv; args[0] is conventionally the program name
    std::span<const char* const> env;  // "NAME=value" strings
};

class Wasi {
public:
    Wasi(WasiHost& host, WasiOptions options) : host_(host), options_(options) {}
    Wasi(const Wasi&) = delete;
    Wasi& operator=(const Wasi&) = delete;

    // Defines every function this layer implements under kModuleName. False when the linker or
    // store runs out of memory.
    bool define(Store& store, Linker& linker);

    // Defines a stub for every kModuleName function that `module` imports and this layer does
    // not implement: it returns ENOSYS when its type ends in one i32 (every WASI errno-returning
    // function), and traps otherwise. Call after define().
    bool define_missing(Store& store, const Module& module, Linker& linker);

    // Calls the instance's exported "_start" (a WASI command's entry point).
    Trap run_start(Instance& instance);

    // For the host functions.
    WasiHost& host() const { return host_; }
    std::span<const char* const> args() const { return options_.args; }
    std::span<const char* const> env() const { return options_.env; }
    bool fd_is_open(uint32_t fd) const;
    void close_fd(uint32_t fd);

    // Descriptors of files (files.cpp).
    static constexpr uint32_t kPreopenFd = 3;
    static constexpr uint32_t kFirstFileFd = 4;
    static constexpr uint32_t kMaxFiles = 16;
    static constexpr size_t kMaxPath = 255;
    struct OpenFile {
        bool used = false;
        bool directory = false;
        uint16_t length = 0;
        char path[kMaxPath + 1] = {};
        uint64_t offset = 0; // a file's position, a directory's next entry index
        std::span<const char> view() const { return {path, length}; }
    };
    // The open file or directory behind `fd` (the preopen included), or null.
    OpenFile* file(uint32_t fd);
    // A new descriptor for `path`, or MFile.
    std::expected<uint32_t, Errno> open_file(std::span<const char> path, bool directory);

    // Whether `name` is a function this layer implements.
    static bool implements(Name name);

private:
    WasiHost& host_;
    WasiOptions options_;
    uint8_t open_fds_ = 0b1111; // bit n: fd n (0..3) has not been closed
    OpenFile root_{true, true, 0, {}, 0};
    OpenFile files_[kMaxFiles];
};

// The process exit status a WASI command's run ends with: 0 when _start returned, the
// proc_exit code, and -1 for a trap (the caller reports Trap::what()).
constexpr int32_t exit_status(const Trap& trap) {
    if (trap.ok())
        return 0;
    return trap.is_exit() ? trap.exit_code : -1;
}

} // namespace wasm::wasi
