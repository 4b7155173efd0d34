#include "tests/fuzz/wasm_generator.h"

#include <cstddef>

namespace fuzz {

namespace {

constexpr uint32_t kParams = 2;
constexpr uint32_t kLocals = 4;                 // i32 locals after the parameters
constexpr uint32_t kLoopCounter = kParams + kLocals; // one more, only loops touch it
constexpr int kMaxDepth = 6;

class Source {
public:
    explicit Source(std::span<const uint8_t> bytes) : bytes_(bytes) {}
    uint8_t byte() {
        if (bytes_.empty())
            return 0;
        uint8_t b = bytes_[pos_ % bytes_.size()];
        // Cycled bytes are mixed with the position, so a short input still varies.
        b ^= uint8_t(pos_ / bytes_.size() * 0x9d);
        ++pos_;
        return b;
    }
    uint32_t below(uint32_t n) { return byte() % n; }
    uint32_t u32() { return uint32_t(byte()) | uint32_t(byte()) << 8 | uint32_t(byte()) << 16 |
                            uint32_t(byte()) << 24; }
    bool exhausted() const { return pos_ >= bytes_.size() * 4; }

private:
    std::span<const uint8_t> bytes_;
    size_t pos_ = 0;
};

void uleb(std::vector<uint8_t>& out, uint32_t v) {
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        out.push_back(v ? b | 0x80 : b);
    } while (v);
}

void sleb(std::vector<uint8_t>& out, int32_t v) {
    for (;;) {
        uint8_t b = v & 0x7f;
        v >>= 7;
        bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
        out.push_back(done ? b : b | 0x80);
        if (done)
            return;
    }
}

// i32 opcodes (the Wasm binary format, section 5.4).
constexpr uint8_t kUnary[] = {0x45, 0x67, 0x68, 0x69};  // eqz clz ctz popcnt
constexpr uint8_t kBinary[] = {0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73,
                               0x74, 0x75, 0x76, 0x77, 0x78, // add..rotr
                               0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f};
constexpr uint8_t kLoads[] = {0x28, 0x2c, 0x2d, 0x2e, 0x2f}; // i32.load, load8_s/u, load16_s/u
constexpr uint8_t kStores[] = {0x36, 0x3a, 0x3b};            // i32.store, store8, store16

class Generator {
public:
    explicit Generator(Source& s) : s_(s) {}

    // An expression leaving one i32.
    void value(std::vector<uint8_t>& c, int depth) {
        uint32_t choice = depth >= kMaxDepth || s_.exhausted() ? s_.below(2) : s_.below(11);
        switch (choice) {
        case 0:
            c.push_back(0x41); // i32.const
            sleb(c, int32_t(interesting()));
            return;
        case 1:
            c.push_back(0x20); // local.get
            uleb(c, s_.below(kParams + kLocals));
            return;
        case 2:
            value(c, depth + 1);
            c.push_back(kUnary[s_.below(sizeof kUnary)]);
            return;
        case 3:
        case 4:
            value(c, depth + 1);
            value(c, depth + 1);
            c.push_back(kBinary[s_.below(sizeof kBinary)]);
            return;
        case 5:
            address(c, depth);
            c.push_back(kLoads[s_.below(sizeof kLoads)]);
            uleb(c, 0); // align
            uleb(c, s_.below(8));
            return;
        case 6:
            value(c, depth + 1);
            c.push_back(0x22); // local.tee
            uleb(c, kParams + s_.below(kLocals));
            return;
        case 7:
            value(c, depth + 1);
            value(c, depth + 1);
            value(c, depth + 1);
            c.push_back(0x1b); // select
            return;
        case 8:
            value(c, depth + 1);
            c.push_back(0x04); // if (result i32)
            c.push_back(0x7f);
            statements(c, depth + 1);
            value(c, depth + 1);
            c.push_back(0x05); // else
            value(c, depth + 1);
            c.push_back(0x0b);
            return;
        case 9:
            c.push_back(0x02); // block (result i32): leave early with a value, or fall through
            c.push_back(0x7f);
            value(c, depth + 1);
            value(c, depth + 1);
            c.push_back(0x0d); // br_if 0
            uleb(c, 0);
            c.push_back(0x1a); // drop
            value(c, depth + 1);
            c.push_back(0x0b);
            return;
        default:
            c.push_back(0x20);
            uleb(c, s_.below(kParams + kLocals));
            return;
        }
    }

    // Zero or more statements (leaving nothing on the stack).
    void statements(std::vector<uint8_t>& c, int depth) {
        uint32_t count = depth >= kMaxDepth ? 0 : s_.below(3);
        for (uint32_t i = 0; i < count; ++i) {
            switch (s_.below(3)) {
            case 0:
                value(c, depth + 1);
                c.push_back(0x21); // local.set
                uleb(c, kParams + s_.below(kLocals));
                break;
            case 1:
                address(c, depth);
                value(c, depth + 1);
                c.push_back(kStores[s_.below(sizeof kStores)]);
                uleb(c, 0);
                uleb(c, s_.below(8));
                break;
            default:
                if (!in_loop_ && depth < kMaxDepth - 2)
                    counted_loop(c, depth);
                break;
            }
        }
    }

private:
    // Mostly in bounds (a masked value), sometimes anything: out-of-bounds traps are compared too.
    void address(std::vector<uint8_t>& c, int depth) {
        value(c, depth + 1);
        if (s_.below(8) != 0) {
            c.push_back(0x41);
            sleb(c, 0xfff8);
            c.push_back(0x71); // i32.and
        }
    }

    // counter = 1..16; loop { body; counter -= 1; br_if counter != 0 } — always ends. Loops
    // do not nest: the one counter would be reset by an inner loop.
    void counted_loop(std::vector<uint8_t>& c, int depth) {
        in_loop_ = true;
        c.push_back(0x41);
        sleb(c, int32_t(1 + s_.below(16)));
        c.push_back(0x21);
        uleb(c, kLoopCounter);
        c.push_back(0x03); // loop
        c.push_back(0x40);
        statements(c, depth + 1);
        c.push_back(0x20);
        uleb(c, kLoopCounter);
        c.push_back(0x41);
        sleb(c, 1);
        c.push_back(0x6b); // i32.sub
        c.push_back(0x22); // local.tee
        uleb(c, kLoopCounter);
        c.push_back(0x0d); // br_if 0
        uleb(c, 0);
        c.push_back(0x0b);
        in_loop_ = false;
    }

    uint32_t interesting() {
        constexpr uint32_t kEdges[] = {0, 1, 2, 31, 32, 0x7fffffff, 0x80000000, 0xffffffff,
                                       0xfffffffe, 65535, 65536};
        return s_.below(2) ? kEdges[s_.below(sizeof kEdges / sizeof kEdges[0])] : s_.u32();
    }

    Source& s_;
    bool in_loop_ = false;
};

void section(std::vector<uint8_t>& module, uint8_t id, const std::vector<uint8_t>& body) {
    module.push_back(id);
    uleb(module, uint32_t(body.size()));
    module.insert(module.end(), body.begin(), body.end());
}

} // namespace

std::vector<uint8_t> generate_module(std::span<const uint8_t> entropy) {
    Source source(entropy);
    Generator gen(source);
    std::vector<uint8_t> code;
    gen.statements(code, 0);
    gen.value(code, 0);
    code.push_back(0x0b);

    std::vector<uint8_t> body = {1}; // one group of locals
    uleb(body, kLocals + 1);
    body.push_back(0x7f);
    body.insert(body.end(), code.begin(), code.end());
    std::vector<uint8_t> code_section = {1};
    uleb(code_section, uint32_t(body.size()));
    code_section.insert(code_section.end(), body.begin(), body.end());

    std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    section(m, 1, {1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f});           // type (i32 i32) -> i32
    section(m, 3, {1, 0});                                      // one function of type 0
    section(m, 5, {1, 0x01, 1, 1});                             // memory: 1 page, max 1
    section(m, 7, {2, 1, 'f', 0x00, 0, 1, 'm', 0x02, 0});       // exports f and m
    section(m, 10, code_section);
    return m;
}

} // namespace fuzz
