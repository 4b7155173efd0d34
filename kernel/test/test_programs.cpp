#include "kernel/test/test_programs.h"

#include "kernel/boot/boot_module.h"
#include "kernel/init_process.h"
#include "kernel/sched/user_process.h"
#include "lib/tar.h"

namespace kernel::test {

lib::Result<lib::RefPtr<object::Process>> spawn_test_program(lib::StringView path,
                                                             std::span<const char* const> argv,
                                                             sched::Prepare prepare,
                                                             uint32_t cpu) {
    auto archive = boot_module(boot_info(), "initrd");
    if (!archive)
        return lib::fail(lib::Error::NotFound);
    char name[128] = {};
    if (path.length() == 0 || path.length() >= sizeof name)
        return lib::fail(lib::Error::InvalidArgument);
    __builtin_memcpy(name, path.data(), path.length());
    // Programs are named by absolute path; the archive stores them relative to its root.
    const char* in_archive = name[0] == '/' ? name + 1 : name;
    auto image = TRY(lib::tar_open(*archive, in_archive));
    return sched::spawn_program(path, image, argv, {}, root_budget(), prepare, cpu);
}

} // namespace kernel::test
