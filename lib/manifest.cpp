#include "lib/manifest.h"

namespace lib {

namespace {

constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The next whitespace-separated word of `rest`, which it consumes.
StringView next_word(StringView& rest) {
    size_t i = 0;
    while (i < rest.length() && is_space(rest[i]))
        ++i;
    size_t start = i;
    while (i < rest.length() && !is_space(rest[i]))
        ++i;
    StringView word = rest.substring(start, i - start);
    rest = rest.substring(i);
    return word;
}

StringView trimmed(StringView text) {
    size_t start = 0, end = text.length();
    while (start < end && is_space(text[start]))
        ++start;
    while (end > start && is_space(text[end - 1]))
        --end;
    return text.substring(start, end - start);
}

// The digits of `word` from `i` on in `base` (10 or 16), at most `limit`.
bool parse_digits(StringView word, size_t i, uint64_t base, uint64_t limit, uint64_t& out) {
    if (i >= word.length())
        return false;
    uint64_t value = 0;
    for (; i < word.length(); ++i) {
        char c = word[i];
        uint64_t digit;
        if (c >= '0' && c <= '9')
            digit = uint64_t(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = uint64_t(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = uint64_t(c - 'A' + 10);
        else
            return false;
        if (value > (limit - digit) / base)
            return false;
        value = value * base + digit;
    }
    out = value;
    return true;
}

// Decimal or 0x-prefixed hexadecimal, at most `limit`.
bool parse_number(StringView word, uint64_t limit, uint64_t& out) {
    if (word.length() > 2 && word[0] == '0' && (word[1] == 'x' || word[1] == 'X'))
        return parse_digits(word, 2, 16, limit, out);
    return parse_digits(word, 0, 10, limit, out);
}

// A PCI ID as lspci prints it: one to four hexadecimal digits without a prefix ("1af4").
bool parse_pci_id(StringView word, uint64_t& out) {
    return word.length() <= 4 && parse_digits(word, 0, 16, 0xffff, out);
}

bool copy_text(StringView text, char* out, size_t max) {
    if (text.length() > max)
        return false;
    __builtin_memcpy(out, text.data(), text.length());
    out[text.length()] = '\0';
    return true;
}

bool valid_name(StringView name) {
    if (name.is_empty() || name.length() > ManifestService::NAME_MAX)
        return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return false;
    return true;
}

class Parser {
public:
    explicit Parser(Manifest& out) : m_out(out) {}

    void line(StringView text, uint32_t number) {
        size_t hash = text.find('#');
        if (hash < text.length())
            text = text.substring(0, hash);
        StringView rest = trimmed(text);
        if (rest.is_empty())
            return;
        StringView key = next_word(rest);
        rest = trimmed(rest);
        if (key == StringView("service")) {
            finish();
            begin(rest, number);
            return;
        }
        if (!m_open) {
            if (!m_skipping)
                problem(number, "a setting outside any service block");
            return;
        }
        if (const char* why = setting(key, rest))
            refuse(number, why);
    }

    void finish() {
        if (m_open && m_current.program[0] == '\0')
            refuse(m_current.line, "service has no program line");
        if (m_open) {
            if (m_out.service_count < Manifest::SERVICES_MAX)
                m_out.services[m_out.service_count++] = m_current;
            else
                problem(m_current.line, "too many services (at most 16)");
        }
        m_open = false;
    }

private:
    void begin(StringView name, uint32_t number) {
        m_current = ManifestService{};
        m_current.line = number;
        m_skipping = false;
        if (!valid_name(name)) {
            problem(number, "a service name is 1-23 of a-z 0-9 - _ .");
            m_skipping = true; // its settings belong to the refused block
            return;
        }
        for (size_t i = 0; i < m_out.service_count; ++i)
            if (StringView(m_out.services[i].name) == name) {
                problem(number, "a second service of the same name");
                m_skipping = true;
                return;
            }
        (void)copy_text(name, m_current.name, ManifestService::NAME_MAX);
        m_open = true;
    }

    // Null when the setting was applied, or why it was not.
    const char* setting(StringView key, StringView rest) {
        ManifestService& s = m_current;
        if (key == StringView("program")) {
            StringView path = next_word(rest);
            if (path.is_empty() || path[0] != '/' || !trimmed(rest).is_empty())
                return "program takes one absolute path";
            return copy_text(path, s.program, ManifestService::PROGRAM_MAX) ? nullptr
                                                                            : "program path too long";
        }
        if (key == StringView("args"))
            return copy_text(rest, s.args, ManifestService::ARGS_MAX) ? nullptr
                                                                      : "args longer than 127 bytes";
        if (key == StringView("budget")) {
            uint64_t pages = 0;
            // At most 4 GiB of memory per service; 16 pages is the least a program runs in.
            if (!parse_number(next_word(rest), 1u << 20, pages) || pages < 16 ||
                !trimmed(rest).is_empty())
                return "budget takes a page count from 16 to 1048576";
            s.budget_pages = pages;
            return nullptr;
        }
        if (key == StringView("restart")) {
            StringView policy = next_word(rest);
            if (policy == StringView("never"))
                s.restart = RestartPolicy::Never;
            else if (policy == StringView("on-failure"))
                s.restart = RestartPolicy::OnFailure;
            else if (policy == StringView("always"))
                s.restart = RestartPolicy::Always;
            else
                return "restart is never, on-failure or always";
            return trimmed(rest).is_empty() ? nullptr : "restart takes one word";
        }
        if (key == StringView("control")) {
            s.control = true;
            return trimmed(rest).is_empty() ? nullptr : "control takes nothing";
        }
        if (key == StringView("ends-init")) {
            s.ends_init = true;
            return trimmed(rest).is_empty() ? nullptr : "ends-init takes nothing";
        }
        return grant(key, rest);
    }

    const char* grant(StringView key, StringView rest) {
        ManifestService& s = m_current;
        ManifestGrant g{};
        if (key == StringView("ports")) {
            uint64_t first = 0, count = 0;
            if (!parse_number(next_word(rest), 0xffff, first) ||
                !parse_number(next_word(rest), 0x10000, count) || count == 0 ||
                first + count > 0x10000)
                return "ports takes a first port and a count inside 0..0xffff";
            g = {ManifestGrant::Kind::Ports, uint32_t(first), uint32_t(count)};
        } else if (key == StringView("irq")) {
            uint64_t line = 0;
            if (!parse_number(next_word(rest), 15, line) || line == 2)
                return "irq takes an ISA IRQ from 0 to 15 (not 2, the cascade)";
            g = {ManifestGrant::Kind::Irq, uint32_t(line), 0};
        } else if (key == StringView("pci")) {
            StringView ids = next_word(rest);
            size_t colon = ids.find(':');
            uint64_t vendor = 0, device = 0, index = 0;
            StringView index_word = next_word(rest);
            if (colon >= ids.length() ||
                !parse_pci_id(ids.substring(0, colon), vendor) ||
                !parse_pci_id(ids.substring(colon + 1), device) ||
                (!index_word.is_empty() && !parse_number(index_word, 63, index)))
                return "pci takes vendor:device in hexadecimal and an optional index 0-63";
            g = {ManifestGrant::Kind::Pci, uint32_t(vendor << 16 | device), uint32_t(index)};
        } else if (key == StringView("initrd")) {
            g = {ManifestGrant::Kind::Initrd, 0, 0};
        } else if (key == StringView("framebuffer")) {
            g = {ManifestGrant::Kind::Framebuffer, 0, 0};
        } else {
            return "unknown setting";
        }
        if (!trimmed(rest).is_empty())
            return "too many words for the setting";
        if (s.grant_count == ManifestService::GRANTS_MAX)
            return "more than 8 capabilities";
        s.grants[s.grant_count++] = g;
        return nullptr;
    }

    // The open block is dropped as a whole: half a service's capabilities would be worse
    // than none.
    void refuse(uint32_t number, const char* why) {
        problem(number, why);
        m_open = false;
        m_skipping = true;
    }

    void problem(uint32_t number, const char* why) {
        if (m_out.problem_count < Manifest::PROBLEMS_MAX)
            m_out.problems[m_out.problem_count] = {number, why};
        ++m_out.problem_count;
    }

    Manifest& m_out;
    ManifestService m_current;
    bool m_open = false;
    bool m_skipping = false;
};

} // namespace

void parse_manifest(StringView text, Manifest& out) {
    out.service_count = 0;
    out.problem_count = 0;
    Parser parser(out);
    uint32_t number = 1;
    size_t start = 0;
    for (size_t i = 0; i <= text.length(); ++i) {
        if (i == text.length() || text[i] == '\n') {
            parser.line(text.substring(start, i - start), number++);
            start = i + 1;
        }
    }
    parser.finish();
}

} // namespace lib
