// StringView: a non-owning, length-counted view of characters. Freestanding code cannot use
// <string_view> safely (its checked accessors throw), so lib/ has its own.
#pragma once

#include <cstddef>

namespace lib {

class StringView {
public:
    constexpr StringView() = default;
    constexpr StringView(const char* data, size_t length) : m_data(data), m_length(length) {}
    constexpr StringView(const char* cstring) : m_data(cstring), m_length(length_of(cstring)) {}

    constexpr const char* data() const { return m_data; }
    constexpr size_t length() const { return m_length; }
    constexpr bool is_empty() const { return m_length == 0; }
    constexpr char operator[](size_t i) const { return m_data[i]; }
    constexpr const char* begin() const { return m_data; }
    constexpr const char* end() const { return m_data + m_length; }

    constexpr StringView substring(size_t start, size_t count) const {
        if (start > m_length)
            return {};
        if (count > m_length - start)
            count = m_length - start;
        return {m_data + start, count};
    }
    constexpr StringView substring(size_t start) const { return substring(start, m_length); }

    constexpr bool starts_with(StringView prefix) const {
        return prefix.m_length <= m_length && substring(0, prefix.m_length) == prefix;
    }

    // Index of the first occurrence of c, or length() when absent.
    constexpr size_t find(char c) const {
        for (size_t i = 0; i < m_length; ++i)
            if (m_data[i] == c)
                return i;
        return m_length;
    }

    constexpr bool operator==(const StringView& other) const {
        if (m_length != other.m_length)
            return false;
        for (size_t i = 0; i < m_length; ++i)
            if (m_data[i] != other.m_data[i])
                return false;
        return true;
    }

private:
    static constexpr size_t length_of(const char* s) {
        if (!s)
            return 0;
        size_t n = 0;
        while (s[n])
            ++n;
        return n;
    }

    const char* m_data = nullptr;
    size_t m_length = 0;
};

} // namespace lib
