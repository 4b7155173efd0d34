// The console's protocols (docs/console.md). Four services make the console: the serial driver
// and the PS/2 keyboard driver push what is typed to the console service's input endpoint; the
// console service runs the line discipline and writes what programs print to the serial driver
// and the framebuffer console server together. Programs talk only to the console service.
//
// Bytes travel in the three message words: up to BYTES_PER_MESSAGE of them, the count in the
// first byte (mnos::console::pack / unpack below). Every reply's label is 0 or an mnos::Error.
#pragma once

#include <cstddef>
#include <cstdint>

#include "abi/ipc.h"

namespace mnos::console {

// Names in the name service.
inline constexpr char SERVICE[] = "console";      // programs' terminal
inline constexpr char INPUT[] = "console-input";  // drivers push keystrokes here
inline constexpr char SERIAL[] = "serial";        // the serial driver's output
inline constexpr char SCREEN[] = "screen";        // the framebuffer console server

enum Method : uint64_t {
    // To the console service, the serial driver and the screen: (bytes) -> (). Output for the
    // screen may hold the escape sequences listed in docs/console.md.
    Write = 1,
    // To the console service: (maximum count) -> (bytes). Blocks until a line is complete (or
    // ctrl-D); an empty answer is the end of input.
    Read = 2,
    // To the console-input endpoint, from a driver: (bytes) -> (). Keys as a terminal sends
    // them: ASCII, 0x7f for backspace, '\r' for enter, ctrl-X as X & 0x1f, and the arrows as
    // ESC [ A/B/C/D.
    Input = 3,
    // To the console service: transfer: a Process (WRITE, GRANT) -> (). The program ctrl-C kills,
    // until the next SetForeground; no capability clears it.
    SetForeground = 4,
};

inline constexpr size_t BYTES_PER_MESSAGE = sizeof(uint64_t) * IPC_MESSAGE_WORDS - 1;

// Packs up to BYTES_PER_MESSAGE bytes of `data` into the IPC_MESSAGE_WORDS `words`; returns
// how many it took.
inline size_t pack(const char* data, size_t length, uint64_t* words) {
    size_t count = length < BYTES_PER_MESSAGE ? length : BYTES_PER_MESSAGE;
    uint8_t bytes[sizeof(uint64_t) * IPC_MESSAGE_WORDS] = {uint8_t(count)};
    for (size_t i = 0; i < count; ++i)
        bytes[1 + i] = uint8_t(data[i]);
    for (size_t w = 0; w < IPC_MESSAGE_WORDS; ++w) {
        uint64_t word = 0;
        for (size_t b = 0; b < sizeof(uint64_t); ++b)
            word |= uint64_t(bytes[w * sizeof(uint64_t) + b]) << (8 * b);
        words[w] = word;
    }
    return count;
}

// Unpacks into `out` (BYTES_PER_MESSAGE bytes of room); returns the count, capped.
inline size_t unpack(const uint64_t* words, char* out) {
    auto byte = [&](size_t i) { return uint8_t(words[i / 8] >> (8 * (i % 8))); };
    size_t count = byte(0) < BYTES_PER_MESSAGE ? byte(0) : BYTES_PER_MESSAGE;
    for (size_t i = 0; i < count; ++i)
        out[i] = char(byte(1 + i));
    return count;
}

} // namespace mnos::console
