// Reads `key=value` options from a kernel command line such as "test=boot log=verbose".
#pragma once

#include "lib/string_view.h"

namespace lib {

// The value of the first `key=value` word, or an empty view when the key is absent.
constexpr StringView command_line_value(StringView line, StringView key) {
    size_t i = 0;
    while (i < line.length()) {
        while (i < line.length() && line[i] == ' ')
            ++i;
        size_t start = i;
        while (i < line.length() && line[i] != ' ')
            ++i;
        StringView word = line.substring(start, i - start);
        if (word.length() > key.length() && word.starts_with(key) && word[key.length()] == '=')
            return word.substring(key.length() + 1);
    }
    return {};
}

} // namespace lib
