#include "kernel/dev/cmos_clock.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/lapic.h"
#include "kernel/debug/log.h"
#include "lib/time/civil.h"
#include "lib/time/cmos_clock.h"
#include "lib/time/ticks.h"

namespace kernel::cmos_clock {

namespace {

namespace cmos = lib::time::cmos;

// The CMOS index and data ports. Bit 7 of the index is the NMI mask; it stays 0 (NMIs on).
constexpr uint16_t INDEX_PORT = 0x70;
constexpr uint16_t DATA_PORT = 0x71;
// Bounds on the waits, so a chip that never settles costs a moment, not the boot: an update
// takes under 2 ms, and one reading at most as long.
constexpr int UPDATE_POLLS = 100'000;
constexpr int READ_ATTEMPTS = 8;

std::optional<uint64_t> g_base_ns;

uint8_t read_register(uint8_t index) {
    cpu::out8(INDEX_PORT, index);
    return cpu::in8(DATA_PORT);
}

bool wait_for_update_to_end() {
    for (int i = 0; i < UPDATE_POLLS; ++i)
        if (!(read_register(cmos::STATUS_A) & cmos::STATUS_A_UPDATING))
            return true;
    return false;
}

lib::time::CmosReading read_fields() {
    return {read_register(cmos::SECONDS), read_register(cmos::MINUTES),
            read_register(cmos::HOURS),   read_register(cmos::DAY),
            read_register(cmos::MONTH),   read_register(cmos::YEAR),
            read_register(cmos::STATUS_B)};
}

// A reading that two passes agree on: the chip may tick over between the fields of one pass.
std::optional<lib::time::CmosReading> stable_reading() {
    for (int attempt = 0; attempt < READ_ATTEMPTS; ++attempt) {
        if (!wait_for_update_to_end())
            return std::nullopt;
        lib::time::CmosReading first = read_fields();
        if (!wait_for_update_to_end())
            return std::nullopt;
        if (read_fields() == first)
            return first;
    }
    return std::nullopt;
}

} // namespace

void init() {
    uint64_t tsc_hz = x86_64::lapic::calibration().tsc_hz;
    auto reading = stable_reading();
    // The TSC at the reading: the chip's second began at most a second before it.
    uint64_t tsc = cpu::rdtsc();
    auto seconds = reading ? lib::time::unix_seconds_from_cmos(*reading)
                           : lib::Result<uint64_t>(lib::fail(mnos::Error::Timeout));
    if (!seconds || tsc_hz == 0) {
        kprintln(LogColour::Warning, "clock: no valid CMOS clock reading; no wall clock");
        return;
    }
    g_base_ns = *seconds * 1'000'000'000 - lib::time::ticks_to_ns(tsc, tsc_hz);
    lib::time::CivilTime t = lib::time::civil_from_unix(*seconds);
    kprintln("clock: CMOS clock reads {}-{:02}-{:02} {:02}:{:02}:{:02} UTC", t.year, t.month,
             t.day, t.hour, t.minute, t.second);
}

std::optional<uint64_t> wall_clock_base_ns() { return g_base_ns; }

} // namespace kernel::cmos_clock
