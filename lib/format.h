// Type-safe formatting in the style of std::format: "pmm: {} MiB free, first at {:#x}".
//
// Replacement fields are {} or {:spec} with spec = [fill][<|>][#][0][width][type], where type is
// d (decimal), x/X (hex), b (binary), c (character), s (string) or p (pointer). The number of
// fields is checked against the number of arguments at compile time, so a mismatch is a build
// error, not a garbled log line. Each argument is formatted by a Formatter<T> specialization.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "lib/address.h"
#include "lib/string_view.h"

namespace lib {

// Where formatted text goes: a serial port, the console, a buffer.
class Output {
public:
    virtual void write(StringView text) = 0;

protected:
    ~Output() = default;
};

// Formats into a fixed buffer, truncating (never overflowing) when it is full.
class BufferOutput final : public Output {
public:
    BufferOutput(char* buffer, size_t capacity) : m_buffer(buffer), m_capacity(capacity) {
        if (m_capacity)
            m_buffer[0] = '\0';
    }
    void write(StringView text) override;
    StringView view() const { return {m_buffer, m_length}; }
    bool truncated() const { return m_truncated; }

private:
    char* m_buffer;
    size_t m_capacity;
    size_t m_length = 0;
    bool m_truncated = false;
};

struct FormatSpec {
    char fill = ' ';
    char align = '\0'; // '<', '>' or none (numbers right, text left)
    bool alternate = false;
    unsigned width = 0;
    char type = '\0';
};

template <typename T> struct Formatter; // specialised for each formattable type below

namespace detail {

// A type-erased argument: the formatting code is not instantiated once per call site.
struct FormatArg {
    void (*format)(Output&, const FormatSpec&, const void*);
    const void* value;
};

void vformat(Output& out, StringView fmt, const FormatArg* args, size_t count);
void format_integer(Output& out, const FormatSpec& spec, uint64_t magnitude, bool negative);
void format_text(Output& out, const FormatSpec& spec, StringView text);

// Not constexpr: reaching it during constant evaluation turns a bad format string into a
// compile error that names this function.
void format_string_has_wrong_number_of_arguments();
void format_string_has_unbalanced_braces();

consteval size_t count_fields(const char* s) {
    size_t count = 0;
    for (size_t i = 0; s[i]; ++i) {
        if (s[i] == '{') {
            if (s[i + 1] == '{') {
                ++i;
                continue;
            }
            while (s[i] && s[i] != '}')
                ++i;
            if (!s[i])
                format_string_has_unbalanced_braces();
            ++count;
        } else if (s[i] == '}') {
            if (s[i + 1] != '}')
                format_string_has_unbalanced_braces();
            ++i;
        }
    }
    return count;
}

} // namespace detail

template <typename... Args> struct FormatString {
    template <typename S>
        requires std::convertible_to<const S&, const char*>
    consteval FormatString(const S& s) : text(s) {
        if (detail::count_fields(s) != sizeof...(Args))
            detail::format_string_has_wrong_number_of_arguments();
    }
    StringView text;
};

template <typename... Args>
using CheckedFormat = FormatString<std::type_identity_t<Args>...>;

template <typename... Args>
void format_to(Output& out, CheckedFormat<Args...> fmt, const Args&... args) {
    detail::FormatArg erased[sizeof...(Args) + 1] = {
        {[](Output& o, const FormatSpec& spec, const void* v) {
             Formatter<std::remove_cvref_t<Args>>::format(o, spec,
                                                          *static_cast<const Args*>(v));
         },
         &args}...,
        {nullptr, nullptr}};
    detail::vformat(out, fmt.text, erased, sizeof...(Args));
}

// ---- Formatters for the basic types ----

template <std::integral T> struct Formatter<T> {
    static void format(Output& out, const FormatSpec& spec, T value) {
        if constexpr (std::is_same_v<T, char>) {
            if (spec.type == '\0' || spec.type == 'c') {
                detail::format_text(out, spec, StringView(&value, 1));
                return;
            }
        }
        if constexpr (std::is_same_v<T, bool>) {
            if (spec.type == '\0') {
                detail::format_text(out, spec, value ? "true" : "false");
                return;
            }
        }
        if constexpr (std::is_signed_v<T>) {
            bool negative = value < 0;
            // Negate in unsigned arithmetic so the most negative value does not overflow.
            uint64_t magnitude = negative ? uint64_t(0) - uint64_t(value) : uint64_t(value);
            detail::format_integer(out, spec, magnitude, negative);
        } else {
            detail::format_integer(out, spec, uint64_t(value), false);
        }
    }
};

template <typename T>
    requires std::is_enum_v<T>
struct Formatter<T> {
    static void format(Output& out, const FormatSpec& spec, T value) {
        Formatter<std::underlying_type_t<T>>::format(out, spec, std::to_underlying(value));
    }
};

template <> struct Formatter<StringView> {
    static void format(Output& out, const FormatSpec& spec, StringView value) {
        detail::format_text(out, spec, value);
    }
};

template <> struct Formatter<const char*> {
    static void format(Output& out, const FormatSpec& spec, const char* value) {
        detail::format_text(out, spec, value ? StringView(value) : StringView("(null)"));
    }
};
template <> struct Formatter<char*> : Formatter<const char*> {};
template <size_t N> struct Formatter<char[N]> : Formatter<const char*> {};

template <typename T> struct Formatter<T*> {
    static void format(Output& out, const FormatSpec& spec, const T* value) {
        FormatSpec hex = spec;
        hex.type = 'x';
        hex.alternate = true;
        if (hex.width == 0) {
            hex.width = 18; // 0x + 16 digits: pointers line up in columns
            hex.fill = '0';
        }
        detail::format_integer(out, hex, reinterpret_cast<uintptr_t>(value), false);
    }
};

template <typename Tag> struct Formatter<Address<Tag>> {
    static void format(Output& out, const FormatSpec& spec, Address<Tag> value) {
        Formatter<const void*>::format(out, spec, reinterpret_cast<const void*>(value.value()));
    }
};

} // namespace lib
