// PS/2 scan code set 1 (what an i8042 with translation on delivers, as QEMU's does) turned into
// the bytes a terminal sends (abi/console.h's Input): ASCII with shift and caps lock, ctrl-X as
// X & 0x1f, '\r' for enter, 0x7f for backspace and ESC [ A/B/C/D for the arrows. Releases only
// update the modifiers; keys with no terminal byte (function keys, alt) give nothing. Pure
// logic, host-tested byte by byte; the keyboard driver (user/drivers/ps2_keyboard) feeds it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lib::input {

class ScancodeDecoder {
public:
    // The most bytes one scan code byte can produce (an arrow: ESC [ A).
    static constexpr size_t MAX_OUTPUT = 3;

    // Takes the next byte from the keyboard; writes what it means to `out` and returns the
    // count, 0 for a prefix, a release, a modifier or a key with no terminal byte.
    size_t feed(uint8_t code, char (&out)[MAX_OUTPUT]);

    bool shift() const { return m_left_shift || m_right_shift; }
    bool ctrl() const { return m_left_ctrl || m_right_ctrl; }
    bool caps_lock() const { return m_caps_lock; }

private:
    size_t extended(uint8_t make, bool released, char (&out)[MAX_OUTPUT]);
    size_t ordinary(uint8_t make, bool released, char (&out)[MAX_OUTPUT]);

    bool m_left_shift = false, m_right_shift = false;
    bool m_left_ctrl = false, m_right_ctrl = false;
    bool m_caps_lock = false;
    bool m_extended = false;       // the previous byte was the 0xe0 prefix
    uint8_t m_pause_remaining = 0; // bytes left of Pause's 0xe1 sequence
};

} // namespace lib::input
