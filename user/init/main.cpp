// init, PID 1: the one program the kernel starts (docs/init.md). It holds every root
// capability (abi/init.h), reads its manifest from the initrd, starts each service with
// exactly the capabilities the manifest gives it, supervises them, and serves the name
// service on its main thread.
#include "abi/init.h"
#include "lib/command_line.h"
#include "lib/manifest.h"
#include "user/init/name_server.h"
#include "user/init/supervisor.h"
#include "user/libmnos/initrd.h"
#include "user/libmnos/print.h"

namespace {

constexpr const char* DEFAULT_MANIFEST = "/etc/init.manifest";

lib::Manifest g_manifest; // lives as long as init: supervisors read their entries from it

// manifest=PATH among the arguments (the kernel passes its command line's words).
lib::StringView manifest_path(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        lib::StringView value = lib::command_line_value(argv[i], "manifest");
        if (!value.is_empty())
            return value;
    }
    return DEFAULT_MANIFEST;
}

void start_services(lib::StringView path) {
    auto text = mnos::initrd::file(path);
    if (!text) {
        mnos::println("init: no manifest {}: {}", path, mnos::error_name(text.error()));
        return;
    }
    // Sound: the manifest's bytes are in the initrd, mapped read-only for init's lifetime.
    lib::parse_manifest(lib::StringView(reinterpret_cast<const char*>(text->data()), text->size()),
                        g_manifest);
    for (size_t i = 0; i < g_manifest.problem_count && i < lib::Manifest::PROBLEMS_MAX; ++i)
        mnos::println("init: {} line {}: {} (entry skipped)", path, g_manifest.problems[i].line,
                      g_manifest.problems[i].message);
    mnos::println("init: manifest {}: {} service(s)", path, g_manifest.service_count);
    for (size_t i = 0; i < g_manifest.service_count; ++i)
        if (!init::supervise(g_manifest.services[i], i + 1))
            mnos::println("init: service {}: no memory for its supervisor",
                          g_manifest.services[i].name);
}

} // namespace

int main(int argc, char** argv) {
    mnos::println("init: running with {} argument(s)", argc);
    const char* reason = nullptr;
    auto archive = mnos::initrd::map(mnos::init_caps::INITRD, &reason);
    if (!archive)
        mnos::println("init: initrd refused: {}{}{}", mnos::error_name(archive.error()),
                      reason ? ": " : "", reason ? reason : "");
    if (auto created = init::create_name_service(); !created) {
        mnos::println("init: cannot create the name service: {}",
                      mnos::error_name(created.error()));
        return 1;
    }
    if (archive)
        start_services(manifest_path(argc, argv));
    init::serve_names();
}
