// A minimal JSON reader for the files wast2json writes (host-only tool code).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace json {

struct Value {
    enum class Kind { Null, Bool, Number, String, Array, Object } kind = Kind::Null;
    bool boolean = false;
    double number = 0;
    std::string string;
    std::vector<Value> array;
    std::vector<std::string> keys; // object members: keys[i] names values[i]
    std::vector<Value> values;

    const Value* get(const std::string& key) const {
        for (size_t i = 0; i < keys.size(); ++i)
            if (keys[i] == key)
                return &values[i];
        return nullptr;
    }
    std::string str(const std::string& key) const {
        const Value* v = get(key);
        return v && v->kind == Kind::String ? v->string : std::string();
    }
};

// Parses `text`; false on a syntax error.
bool parse(const std::string& text, Value& out);

} // namespace json
