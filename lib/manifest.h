// init's manifest (docs/init.md): the text file in the initrd that says which services init
// starts, with which arguments, and with exactly which capabilities. One block per service:
//
//     service serial                  # a name, up to 23 characters
//         program /bin/serial_drv     # an initrd path
//         args --quiet                # optional: the words after argv[0]
//         budget 128                  # pages of memory it may use (default 256)
//         ports 0x3f8 8               # an IoPort for [0x3f8, 0x3f8 + 8)
//         irq 4                       # the IrqLine of ISA IRQ 4
//         pci 1af4:1042               # a PciDevice: the first function with these IDs
//         pci 1af4:1042 1             #   (or the second: an index counting from 0)
//         initrd                      # the initrd's frame, read-only
//         framebuffer                 # the framebuffer's frame
//         restart on-failure          # never | on-failure (default) | always
//         control                     # may stop services, reboot and power off (the shell)
//         ends-init                   # init ends with this service's exit code (tests)
//
// Capabilities land in the service's CNode from slot 3 on, in the order the lines give them
// (slots 0-2 are its Process, its budget and its name-service endpoint). A malformed block is
// refused with its line number and the others still start: a typo costs one service, not boot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/string_view.h"

namespace lib {

struct ManifestGrant {
    enum class Kind : uint8_t { Ports, Irq, Initrd, Framebuffer, Pci };
    Kind kind;
    uint32_t first = 0; // the first port, the IRQ, or a PCI function's vendor << 16 | device
    uint32_t count = 0; // how many ports; which of the PCI functions with those IDs
};

enum class RestartPolicy : uint8_t { Never, OnFailure, Always };

struct ManifestService {
    static constexpr size_t NAME_MAX = 23;    // fits a name-service request (abi/name_service.h)
    static constexpr size_t PROGRAM_MAX = 63;
    static constexpr size_t ARGS_MAX = 127;
    static constexpr size_t GRANTS_MAX = 8;
    static constexpr uint64_t DEFAULT_BUDGET_PAGES = 256;

    char name[NAME_MAX + 1] = {};
    char program[PROGRAM_MAX + 1] = {};
    char args[ARGS_MAX + 1] = {}; // space-separated, as written
    uint64_t budget_pages = DEFAULT_BUDGET_PAGES;
    ManifestGrant grants[GRANTS_MAX] = {};
    size_t grant_count = 0;
    RestartPolicy restart = RestartPolicy::OnFailure;
    bool ends_init = false;
    bool control = false; // may stop services and power the machine off (abi/init_control.h)
    uint32_t line = 0; // where its block starts, for messages
};

struct ManifestProblem {
    uint32_t line;
    const char* message; // a static string
};

struct Manifest {
    static constexpr size_t SERVICES_MAX = 16;
    static constexpr size_t PROBLEMS_MAX = 16;

    ManifestService services[SERVICES_MAX];
    size_t service_count = 0;
    ManifestProblem problems[PROBLEMS_MAX];
    size_t problem_count = 0; // problems beyond PROBLEMS_MAX are counted, not kept
};

// Parses `text` into `out` (which it resets). Never fails as a whole: every refused block or
// line is a problem, and whatever was well formed is in out.services.
void parse_manifest(StringView text, Manifest& out);

} // namespace lib
