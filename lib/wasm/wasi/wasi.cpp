// The table of implemented functions with their signatures, and the glue that defines them in a
// Linker and runs a command.
#include "lib/wasm/wasi/wasi.h"

#include <span>

#include "lib/wasm/wasi/functions.h"

namespace wasm::wasi {

namespace {

constexpr ValType I32 = ValType::I32;
constexpr ValType I64 = ValType::I64;

constexpr ValType kErrno[] = {I32};
constexpr ValType kI32[] = {I32};
constexpr ValType kI32x2[] = {I32, I32};
constexpr ValType kI32x3[] = {I32, I32, I32};
constexpr ValType kI32x4[] = {I32, I32, I32, I32};
constexpr ValType kClockTime[] = {I32, I64, I32}; // id, precision, *time
constexpr ValType kSeek[] = {I32, I64, I32, I32}; // fd, offset, whence, *newoffset
constexpr ValType kI32x5[] = {I32, I32, I32, I32, I32};
// dirfd, dirflags, path, path_len, oflags, rights, inheriting, fdflags, *fd
constexpr ValType kPathOpen[] = {I32, I32, I32, I32, I32, I64, I64, I32, I32};
constexpr ValType kReaddir[] = {I32, I32, I32, I64, I32}; // fd, buf, buf_len, cookie, *bufused

struct FunctionDef {
    Name name;
    std::span<const ValType> params;
    std::span<const ValType> results;
    HostFunc fn;
};

constexpr FunctionDef kFunctions[] = {
    {"args_get", kI32x2, kErrno, detail::args_get},
    {"args_sizes_get", kI32x2, kErrno, detail::args_sizes_get},
    {"environ_get", kI32x2, kErrno, detail::environ_get},
    {"environ_sizes_get", kI32x2, kErrno, detail::environ_sizes_get},
    {"fd_write", kI32x4, kErrno, detail::fd_write},
    {"fd_read", kI32x4, kErrno, detail::fd_read},
    {"fd_close", kI32, kErrno, detail::fd_close},
    {"fd_seek", kSeek, kErrno, detail::fd_seek},
    {"fd_tell", kI32x2, kErrno, detail::fd_tell},
    {"fd_sync", kI32, kErrno, detail::fd_sync},
    {"fd_datasync", kI32, kErrno, detail::fd_sync},
    {"fd_fdstat_get", kI32x2, kErrno, detail::fd_fdstat_get},
    {"fd_fdstat_set_flags", kI32x2, kErrno, detail::fd_fdstat_set_flags},
    {"fd_filestat_get", kI32x2, kErrno, detail::fd_filestat_get},
    {"fd_prestat_get", kI32x2, kErrno, detail::fd_prestat_get},
    {"fd_prestat_dir_name", kI32x3, kErrno, detail::fd_prestat_dir_name},
    {"path_open", kPathOpen, kErrno, detail::path_open},
    {"path_filestat_get", kI32x5, kErrno, detail::path_filestat_get},
    {"fd_readdir", kReaddir, kErrno, detail::fd_readdir},
    {"clock_time_get", kClockTime, kErrno, detail::clock_time_get},
    {"clock_res_get", kI32x2, kErrno, detail::clock_res_get},
    {"random_get", kI32x2, kErrno, detail::random_get},
    {"proc_exit", kI32, {}, detail::proc_exit},
    {"sched_yield", {}, kErrno, detail::sched_yield},
    {"poll_oneoff", kI32x4, kErrno, detail::poll_oneoff},
};

// The stubs of define_missing(). Their user data is unused.
Trap nosys_stub(HostCall& call) {
    call.set_i32(0, static_cast<uint32_t>(Errno::NoSys));
    return Trap::none();
}

Trap unsupported_stub(HostCall&) { return Trap::host("unsupported WASI function"); }

} // namespace

bool Wasi::implements(Name name) {
    for (const FunctionDef& f : kFunctions)
        if (f.name == name)
            return true;
    return false;
}

bool Wasi::define(Store& store, Linker& linker) {
    for (const FunctionDef& f : kFunctions)
        if (!linker.define_host(store, kModuleName, f.name, f.params, f.results, f.fn, this))
            return false;
    return true;
}

bool Wasi::define_missing(Store& store, const Module& module, Linker& linker) {
    for (size_t i = 0; i < Store::import_count(module); ++i) {
        ImportInfo import = Store::import_info(module, i);
        if (import.kind != ExternKind::Func || !(import.module == kModuleName) ||
            implements(import.field) || !import.func_type)
            continue;
        // A module may import one function twice; the first stub serves both.
        if (linker.resolve(import.module, import.field, ExternKind::Func))
            continue;
        const FuncType& type = *import.func_type;
        bool returns_errno = type.results.size() == 1 && type.results[0] == ValType::I32;
        HostFunc stub = returns_errno ? nosys_stub : unsupported_stub;
        if (!linker.define_host(store, import.module, import.field, type.params, type.results,
                                stub, nullptr))
            return false;
    }
    return true;
}

Trap Wasi::run_start(Instance& instance) { return instance.call(kStartName, {}, {}); }

} // namespace wasm::wasi
