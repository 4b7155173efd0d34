#include "lib/input/scancode.h"

namespace lib::input {

namespace {

constexpr uint8_t EXTENDED_PREFIX = 0xe0;
constexpr uint8_t PAUSE_PREFIX = 0xe1;
constexpr uint8_t PAUSE_LENGTH = 5;  // 0xe1 0x1d 0x45 0xe1 0x9d 0xc5: five after the prefix
constexpr uint8_t RELEASED = 0x80;   // set 1: a release is the make code with bit 7 set

// Make codes of the keys that are not characters.
constexpr uint8_t CTRL = 0x1d, LEFT_SHIFT = 0x2a, RIGHT_SHIFT = 0x36, CAPS_LOCK = 0x3a;
constexpr uint8_t ENTER = 0x1c;
constexpr uint8_t UP = 0x48, LEFT = 0x4b, RIGHT = 0x4d, DOWN = 0x50;
constexpr uint8_t KEYPAD_SLASH = 0x35;

// Set 1 make codes 0x00..0x39 on a US keyboard: unshifted and shifted. 0 is no character.
constexpr char PLAIN[] =
    "\0\x1b"
    "1234567890-=\x7f\t"
    "qwertyuiop[]\r\0"
    "asdfghjkl;'`\0\\"
    "zxcvbnm,./\0*\0 ";
constexpr char SHIFTED[] =
    "\0\x1b"
    "!@#$%^&*()_+\x7f\t"
    "QWERTYUIOP{}\r\0"
    "ASDFGHJKL:\"~\0|"
    "ZXCVBNM<>?\0*\0 ";
static_assert(sizeof PLAIN == 0x3a + 1 && sizeof SHIFTED == sizeof PLAIN);

bool is_letter(char c) { return c >= 'a' && c <= 'z'; }

size_t arrow(char which, char (&out)[ScancodeDecoder::MAX_OUTPUT]) {
    out[0] = '\x1b';
    out[1] = '[';
    out[2] = which;
    return 3;
}

} // namespace

size_t ScancodeDecoder::feed(uint8_t code, char (&out)[MAX_OUTPUT]) {
    if (m_pause_remaining) { // Pause has no release and no terminal byte
        --m_pause_remaining;
        return 0;
    }
    if (code == PAUSE_PREFIX) {
        m_pause_remaining = PAUSE_LENGTH;
        m_extended = false;
        return 0;
    }
    if (code == EXTENDED_PREFIX) {
        m_extended = true;
        return 0;
    }
    bool released = code & RELEASED;
    uint8_t make = code & ~RELEASED;
    if (m_extended) {
        m_extended = false;
        return extended(make, released, out);
    }
    return ordinary(make, released, out);
}

size_t ScancodeDecoder::extended(uint8_t make, bool released, char (&out)[MAX_OUTPUT]) {
    if (make == CTRL) {
        m_right_ctrl = !released;
        return 0;
    }
    if (released)
        return 0;
    switch (make) {
    case UP: return arrow('A', out);
    case DOWN: return arrow('B', out);
    case RIGHT: return arrow('C', out);
    case LEFT: return arrow('D', out);
    case ENTER: out[0] = '\r'; return 1; // the keypad's
    case KEYPAD_SLASH: out[0] = '/'; return 1;
    default: return 0; // the fake shifts around Print Screen, Home, Insert, ...: nothing
    }
}

size_t ScancodeDecoder::ordinary(uint8_t make, bool released, char (&out)[MAX_OUTPUT]) {
    switch (make) {
    case LEFT_SHIFT: m_left_shift = !released; return 0;
    case RIGHT_SHIFT: m_right_shift = !released; return 0;
    case CTRL: m_left_ctrl = !released; return 0;
    case CAPS_LOCK:
        if (!released)
            m_caps_lock = !m_caps_lock;
        return 0;
    default: break;
    }
    if (released || make >= sizeof PLAIN - 1)
        return 0;
    char plain = PLAIN[make];
    if (!plain)
        return 0;
    // Caps lock shifts letters only, and shift undoes it, as on a PC.
    bool upper = is_letter(plain) ? shift() != m_caps_lock : shift();
    char c = upper ? SHIFTED[make] : plain;
    if (ctrl()) {
        if (is_letter(plain))
            c = char(plain & 0x1f);
        else if (plain == '[' || plain == '\\' || plain == ']')
            c = char(plain & 0x1f); // ESC, FS, GS, as terminals send them
    }
    out[0] = c;
    return 1;
}

} // namespace lib::input
