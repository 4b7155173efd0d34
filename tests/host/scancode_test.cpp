// lib/input/scancode: PS/2 set 1 bytes, as QEMU's i8042 delivers them, to terminal bytes.
#include "lib/input/scancode.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace {

using lib::input::ScancodeDecoder;

// Everything the decoder produces for `codes`, in order.
std::string decode(ScancodeDecoder& decoder, std::initializer_list<uint8_t> codes) {
    std::string text;
    for (uint8_t code : codes) {
        char out[ScancodeDecoder::MAX_OUTPUT];
        size_t count = decoder.feed(code, out);
        EXPECT_LE(count, ScancodeDecoder::MAX_OUTPUT);
        text.append(out, count);
    }
    return text;
}

std::string decode(std::initializer_list<uint8_t> codes) {
    ScancodeDecoder decoder;
    return decode(decoder, codes);
}

TEST(Scancode, LettersDigitsAndPunctuationOnPressOnly) {
    // e (0x12) c (0x2e) h (0x23) o (0x18), each pressed and released, then space, 1, '-'.
    EXPECT_EQ(decode({0x12, 0x92, 0x2e, 0xae, 0x23, 0xa3, 0x18, 0x98, 0x39, 0xb9, 0x02, 0x82,
                      0x0c, 0x8c}),
              "echo 1-");
    EXPECT_EQ(decode({0x1a, 0x1b, 0x27, 0x28, 0x29, 0x2b, 0x33, 0x34, 0x35, 0x0d}), "[];'`\\,./=");
}

TEST(Scancode, EnterBackspaceTabAndEscape) {
    EXPECT_EQ(decode({0x1c, 0x9c, 0x0e, 0x8e, 0x0f, 0x01}), "\r\x7f\t\x1b");
}

TEST(Scancode, ShiftWhileHeldOnly) {
    // Left shift held over h and 1, released before i; right shift over '/'.
    EXPECT_EQ(decode({0x2a, 0x23, 0x02, 0xaa, 0x17, 0x36, 0x35, 0xb6, 0x35}), "H!i?/");
}

TEST(Scancode, BothShiftsMustBeReleased) {
    ScancodeDecoder decoder;
    EXPECT_EQ(decode(decoder, {0x2a, 0x36, 0xaa, 0x1e}), "A"); // right shift still down
    EXPECT_EQ(decode(decoder, {0xb6, 0x1e}), "a");
}

TEST(Scancode, CapsLockTogglesLettersOnly) {
    ScancodeDecoder decoder;
    EXPECT_EQ(decode(decoder, {0x3a, 0xba, 0x1e, 0x02}), "A1");
    EXPECT_TRUE(decoder.caps_lock());
    EXPECT_EQ(decode(decoder, {0x2a, 0x1e, 0x02, 0xaa}), "a!"); // shift undoes it for letters
    EXPECT_EQ(decode(decoder, {0x3a, 0xba, 0x1e}), "a");
    EXPECT_FALSE(decoder.caps_lock());
}

TEST(Scancode, CtrlMakesControlCodes) {
    // ctrl-C, ctrl-D with the left ctrl; ctrl-A with the right (E0 1D), released as E0 9D.
    EXPECT_EQ(decode({0x1d, 0x2e, 0x20, 0x9d, 0x2e}), "\x03\x04" "c");
    EXPECT_EQ(decode({0xe0, 0x1d, 0x1e, 0xe0, 0x9d, 0x1e}), "\x01" "a");
    EXPECT_EQ(decode({0x1d, 0x2a, 0x2e, 0xaa, 0x9d}), "\x03"); // shift does not change it
}

TEST(Scancode, ArrowsAreEscapeSequences) {
    EXPECT_EQ(decode({0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x50, 0xe0, 0x4d, 0xe0, 0x4b}),
              "\x1b[A\x1b[B\x1b[C\x1b[D");
}

TEST(Scancode, KeypadArrowsWithoutPrefixAreNotArrows) {
    // 0x48 without E0 is keypad 8 (num lock off here): no terminal byte, not an arrow.
    EXPECT_EQ(decode({0x48, 0x50}), "");
}

TEST(Scancode, ExtendedKeysWithoutBytesAndFakeShifts) {
    // Print Screen: E0 2A E0 37; its fake shift must not shift what follows. Then Home (E0 47).
    EXPECT_EQ(decode({0xe0, 0x2a, 0xe0, 0x37, 0x1e, 0xe0, 0xb7, 0xe0, 0xaa, 0xe0, 0x47, 0x1e}), "aa");
    EXPECT_EQ(decode({0xe0, 0x1c, 0xe0, 0x35}), "\r/"); // keypad enter and slash
}

TEST(Scancode, PauseSequenceIsSwallowed) {
    // E1 1D 45 E1 9D C5: the 1D inside must not leave ctrl held.
    EXPECT_EQ(decode({0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x2e}), "c");
}

TEST(Scancode, UnknownAndFunctionKeysGiveNothing) {
    ScancodeDecoder decoder;
    for (int code = 0x3b; code < 0x80; ++code) { // F1.. and the keypad, presses and releases
        char out[ScancodeDecoder::MAX_OUTPUT];
        EXPECT_EQ(decoder.feed(uint8_t(code), out), 0u) << code;
        EXPECT_EQ(decoder.feed(uint8_t(code | 0x80), out), 0u) << code;
    }
    EXPECT_EQ(decode(decoder, {0x00, 0x80, 0xff, 0x2e}), "c");
    EXPECT_FALSE(decoder.shift());
    EXPECT_FALSE(decoder.ctrl());
}

} // namespace
