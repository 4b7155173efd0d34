#include "json.h"

#include <cstdlib>

namespace json {
namespace {

struct Parser {
    const std::string& s;
    size_t i = 0;

    void ws() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
            ++i;
    }
    bool lit(const char* word) {
        size_t n = std::char_traits<char>::length(word);
        if (s.compare(i, n, word) != 0)
            return false;
        i += n;
        return true;
    }
    bool string(std::string& out) {
        if (i >= s.size() || s[i] != '"')
            return false;
        ++i;
        while (i < s.size() && s[i] != '"') {
            char c = s[i++];
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i >= s.size())
                return false;
            char e = s[i++];
            switch (e) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'u': {
                if (i + 4 > s.size())
                    return false;
                unsigned cp = std::strtoul(s.substr(i, 4).c_str(), nullptr, 16);
                i += 4;
                // Surrogate pairs do not occur in wast2json's output of names we compare.
                if (cp < 0x80) {
                    out += static_cast<char>(cp);
                } else if (cp < 0x800) {
                    out += static_cast<char>(0xc0 | cp >> 6);
                    out += static_cast<char>(0x80 | (cp & 0x3f));
                } else {
                    out += static_cast<char>(0xe0 | cp >> 12);
                    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
                    out += static_cast<char>(0x80 | (cp & 0x3f));
                }
                break;
            }
            default: out += e;
            }
        }
        if (i >= s.size())
            return false;
        ++i;
        return true;
    }
    bool value(Value& v) {
        ws();
        if (i >= s.size())
            return false;
        char c = s[i];
        if (c == '{') {
            v.kind = Value::Kind::Object;
            ++i;
            ws();
            if (i < s.size() && s[i] == '}') {
                ++i;
                return true;
            }
            for (;;) {
                ws();
                std::string key;
                if (!string(key))
                    return false;
                ws();
                if (i >= s.size() || s[i] != ':')
                    return false;
                ++i;
                Value item;
                if (!value(item))
                    return false;
                v.keys.push_back(std::move(key));
                v.values.push_back(std::move(item));
                ws();
                if (i < s.size() && s[i] == ',') {
                    ++i;
                    continue;
                }
                if (i < s.size() && s[i] == '}') {
                    ++i;
                    return true;
                }
                return false;
            }
        }
        if (c == '[') {
            v.kind = Value::Kind::Array;
            ++i;
            ws();
            if (i < s.size() && s[i] == ']') {
                ++i;
                return true;
            }
            for (;;) {
                Value item;
                if (!value(item))
                    return false;
                v.array.push_back(std::move(item));
                ws();
                if (i < s.size() && s[i] == ',') {
                    ++i;
                    continue;
                }
                if (i < s.size() && s[i] == ']') {
                    ++i;
                    return true;
                }
                return false;
            }
        }
        if (c == '"') {
            v.kind = Value::Kind::String;
            return string(v.string);
        }
        if (lit("true")) {
            v.kind = Value::Kind::Bool;
            v.boolean = true;
            return true;
        }
        if (lit("false")) {
            v.kind = Value::Kind::Bool;
            return true;
        }
        if (lit("null"))
            return true;
        char* end = nullptr;
        v.number = std::strtod(s.c_str() + i, &end);
        if (end == s.c_str() + i)
            return false;
        v.kind = Value::Kind::Number;
        i = static_cast<size_t>(end - s.c_str());
        return true;
    }
};

} // namespace

bool parse(const std::string& text, Value& out) {
    Parser p{text};
    if (!p.value(out))
        return false;
    p.ws();
    return p.i == text.size();
}

} // namespace json
