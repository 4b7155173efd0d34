#include "lib/format.h"

namespace lib {

void BufferOutput::write(StringView text) {
    if (m_capacity == 0)
        return;
    for (char c : text) {
        if (m_length + 1 >= m_capacity) { // keep room for the terminating NUL
            m_truncated = true;
            break;
        }
        m_buffer[m_length++] = c;
    }
    m_buffer[m_length] = '\0';
}

namespace detail {

namespace {

void write_fill(Output& out, char fill, size_t count) {
    char chunk[16];
    for (char& c : chunk)
        c = fill;
    while (count) {
        size_t n = count < sizeof chunk ? count : sizeof chunk;
        out.write({chunk, n});
        count -= n;
    }
}

// Parses the spec between ':' and '}'. Unknown characters are ignored rather than trusted:
// the field still prints, just without the odd option.
FormatSpec parse_spec(StringView s) {
    FormatSpec spec;
    size_t i = 0;
    if (s.length() >= 2 && (s[1] == '<' || s[1] == '>')) {
        spec.fill = s[0];
        spec.align = s[1];
        i = 2;
    } else if (s.length() >= 1 && (s[0] == '<' || s[0] == '>')) {
        spec.align = s[0];
        i = 1;
    }
    if (i < s.length() && s[i] == '#') {
        spec.alternate = true;
        ++i;
    }
    if (i < s.length() && s[i] == '0' && spec.align == '\0') {
        spec.fill = '0';
        ++i;
    }
    while (i < s.length() && s[i] >= '0' && s[i] <= '9') {
        if (spec.width < 1000) // a width past any screen is a typo; cap the padding work
            spec.width = spec.width * 10 + unsigned(s[i] - '0');
        ++i;
    }
    if (i < s.length())
        spec.type = s[i];
    return spec;
}

} // namespace

void format_text(Output& out, const FormatSpec& spec, StringView text) {
    size_t pad = spec.width > text.length() ? spec.width - text.length() : 0;
    if (spec.align == '>')
        write_fill(out, spec.fill, pad);
    out.write(text);
    if (spec.align != '>')
        write_fill(out, spec.fill, pad);
}

void format_integer(Output& out, const FormatSpec& spec, uint64_t magnitude, bool negative) {
    unsigned base = 10;
    const char* digits = "0123456789abcdef";
    const char* prefix = "";
    switch (spec.type) {
    case 'x': base = 16; prefix = "0x"; break;
    case 'X': base = 16; prefix = "0x"; digits = "0123456789ABCDEF"; break;
    case 'b': base = 2; prefix = "0b"; break;
    case 'o': base = 8; prefix = "0o"; break;
    case 'c': {
        char c = char(magnitude);
        format_text(out, spec, StringView(&c, 1));
        return;
    }
    default: break;
    }
    if (!spec.alternate)
        prefix = "";

    char buffer[64 + 3]; // 64 binary digits, a sign and a two-character prefix
    size_t pos = sizeof buffer;
    do {
        buffer[--pos] = digits[magnitude % base];
        magnitude /= base;
    } while (magnitude);

    StringView prefix_view(prefix);
    size_t body = (sizeof buffer - pos) + prefix_view.length() + (negative ? 1 : 0);
    size_t pad = spec.width > body ? spec.width - body : 0;
    bool zero_pad = spec.fill == '0' && spec.align == '\0';

    if (!zero_pad && spec.align != '<')
        write_fill(out, spec.fill, pad);
    if (negative)
        out.write("-");
    out.write(prefix_view);
    if (zero_pad)
        write_fill(out, '0', pad); // zeros go between the sign/prefix and the digits
    out.write({buffer + pos, sizeof buffer - pos});
    if (spec.align == '<')
        write_fill(out, spec.fill, pad);
}

void vformat(Output& out, StringView fmt, const FormatArg* args, size_t count) {
    size_t next_arg = 0;
    size_t literal_start = 0;
    size_t i = 0;
    auto flush_literal = [&](size_t end) {
        if (end > literal_start)
            out.write(fmt.substring(literal_start, end - literal_start));
    };
    while (i < fmt.length()) {
        char c = fmt[i];
        if ((c == '{' || c == '}') && i + 1 < fmt.length() && fmt[i + 1] == c) {
            flush_literal(i + 1); // emit one brace of the doubled pair
            i += 2;
            literal_start = i;
            continue;
        }
        if (c != '{') {
            ++i;
            continue;
        }
        flush_literal(i);
        size_t close = i;
        while (close < fmt.length() && fmt[close] != '}')
            ++close;
        StringView field = fmt.substring(i + 1, close - i - 1);
        FormatSpec spec;
        size_t colon = field.find(':');
        if (colon < field.length())
            spec = parse_spec(field.substring(colon + 1));
        if (next_arg < count) {
            args[next_arg].format(out, spec, args[next_arg].value);
            ++next_arg;
        }
        i = close < fmt.length() ? close + 1 : close;
        literal_start = i;
    }
    flush_literal(fmt.length());
}

} // namespace detail
} // namespace lib
