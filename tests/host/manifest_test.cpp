// init's manifest parser (lib/manifest.h): what a well-formed file yields, and that every
// malformed block is refused with its line while the rest of the file still counts.
#include "lib/manifest.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using lib::Manifest;
using lib::ManifestGrant;
using lib::RestartPolicy;

Manifest parse(const std::string& text) {
    static Manifest manifest; // large: keep it off the test's stack
    lib::parse_manifest(lib::StringView(text.data(), text.size()), manifest);
    return manifest;
}

TEST(Manifest, ReadsEveryKindOfSetting) {
    Manifest m = parse("# the console\n"
                       "service serial\n"
                       "    program /bin/serial_drv   # the driver\n"
                       "    args --quiet --fast\n"
                       "    budget 0x80\n"
                       "    ports 0x3f8 8\n"
                       "    irq 4\n"
                       "    initrd\n"
                       "    framebuffer\n"
                       "    restart always\n"
                       "\n"
                       "service test\n"
                       "\tprogram /bin/t\n"
                       "\trestart never\n"
                       "\tcontrol\n"
                       "\tends-init\n");
    ASSERT_EQ(m.problem_count, 0u);
    ASSERT_EQ(m.service_count, 2u);
    const auto& serial = m.services[0];
    EXPECT_STREQ(serial.name, "serial");
    EXPECT_STREQ(serial.program, "/bin/serial_drv");
    EXPECT_STREQ(serial.args, "--quiet --fast");
    EXPECT_EQ(serial.budget_pages, 0x80u);
    EXPECT_EQ(serial.restart, RestartPolicy::Always);
    EXPECT_EQ(serial.line, 2u);
    ASSERT_EQ(serial.grant_count, 4u);
    EXPECT_EQ(serial.grants[0].kind, ManifestGrant::Kind::Ports);
    EXPECT_EQ(serial.grants[0].first, 0x3f8u);
    EXPECT_EQ(serial.grants[0].count, 8u);
    EXPECT_EQ(serial.grants[1].kind, ManifestGrant::Kind::Irq);
    EXPECT_EQ(serial.grants[1].first, 4u);
    EXPECT_EQ(serial.grants[2].kind, ManifestGrant::Kind::Initrd);
    EXPECT_EQ(serial.grants[3].kind, ManifestGrant::Kind::Framebuffer);
    EXPECT_FALSE(serial.ends_init);
    EXPECT_FALSE(serial.control);
    const auto& test = m.services[1];
    EXPECT_EQ(test.restart, RestartPolicy::Never);
    EXPECT_TRUE(test.ends_init);
    EXPECT_TRUE(test.control);
    EXPECT_EQ(test.budget_pages, lib::ManifestService::DEFAULT_BUDGET_PAGES);
    EXPECT_EQ(test.grant_count, 0u);
}

TEST(Manifest, RefusesABadBlockAndKeepsTheOthers) {
    Manifest m = parse("service good1\n"
                       "  program /bin/a\n"
                       "service bad\n"
                       "  program /bin/b\n"
                       "  ports 0xfff0 0x20\n" // runs past port 0xffff
                       "  irq 4\n"
                       "service good2\n"
                       "  program /bin/c\n");
    ASSERT_EQ(m.service_count, 2u);
    EXPECT_STREQ(m.services[0].name, "good1");
    EXPECT_STREQ(m.services[1].name, "good2");
    ASSERT_EQ(m.problem_count, 1u);
    EXPECT_EQ(m.problems[0].line, 5u);
}

TEST(Manifest, NamesEachMistakeByItsLine) {
    struct Case {
        const char* text;
        uint32_t line;
    } cases[] = {
        {"program /bin/a\n", 1},                                  // outside a block
        {"service Upper\n  program /bin/a\n", 1},                 // bad name
        {"service a-name-that-is-far-too-long-to-fit\n", 1},      // too long
        {"service a\n  program bin/a\n", 2},                      // relative path
        {"service a\n  program /bin/a extra\n", 2},               // two words
        {"service a\n  program /bin/a\n  budget 8\n", 3},         // too small
        {"service a\n  program /bin/a\n  budget 99999999999\n", 3},
        {"service a\n  program /bin/a\n  budget 12x\n", 3},
        {"service a\n  program /bin/a\n  irq 2\n", 3},            // the cascade
        {"service a\n  program /bin/a\n  irq 16\n", 3},
        {"service a\n  program /bin/a\n  ports 0x60\n", 3},       // no count
        {"service a\n  program /bin/a\n  ports 0x60 0\n", 3},
        {"service a\n  program /bin/a\n  restart sometimes\n", 3},
        {"service a\n  program /bin/a\n  initrd please\n", 3},
        {"service a\n  program /bin/a\n  colour blue\n", 3},      // unknown
        {"service a\n  args x\n", 1},                             // no program
        {"service a\n  program /bin/a\nservice a\n  program /bin/b\n", 3}, // duplicate
    };
    for (const Case& c : cases) {
        Manifest m = parse(c.text);
        ASSERT_GE(m.problem_count, 1u) << c.text;
        EXPECT_EQ(m.problems[0].line, c.line) << c.text;
        EXPECT_NE(m.problems[0].message, nullptr);
    }
}

TEST(Manifest, BoundsEveryList) {
    std::string many;
    for (int i = 0; i < 20; ++i)
        many += "service s" + std::to_string(i) + "\n program /bin/x\n";
    Manifest m = parse(many);
    EXPECT_EQ(m.service_count, Manifest::SERVICES_MAX);
    EXPECT_EQ(m.problem_count, 4u);

    std::string grants = "service g\n program /bin/x\n";
    for (int i = 0; i < 9; ++i)
        grants += " irq 4\n";
    m = parse(grants);
    EXPECT_EQ(m.service_count, 0u);
    ASSERT_EQ(m.problem_count, 1u);
    EXPECT_EQ(m.problems[0].line, 11u);
}

TEST(Manifest, SurvivesArbitraryBytes) {
    std::string junk;
    for (int i = 0; i < 4096; ++i)
        junk.push_back(char((i * 131 + 7) % 256));
    Manifest m = parse(junk);
    EXPECT_LE(m.service_count, Manifest::SERVICES_MAX);
    EXPECT_TRUE(m.problem_count > 0 || m.service_count == 0);
}

} // namespace

namespace {

TEST(Manifest, PciGrantsNameAFunctionByItsIds) {
    Manifest m = parse("service blk\n"
                       "    program /bin/virtio_blk\n"
                       "    pci 1af4:1042\n"
                       "    pci 1AF4:1001 2\n");
    ASSERT_EQ(m.problem_count, 0u);
    ASSERT_EQ(m.service_count, 1u);
    ASSERT_EQ(m.services[0].grant_count, 2u);
    EXPECT_EQ(m.services[0].grants[0].kind, ManifestGrant::Kind::Pci);
    EXPECT_EQ(m.services[0].grants[0].first, 0x1af41042u);
    EXPECT_EQ(m.services[0].grants[0].count, 0u);
    EXPECT_EQ(m.services[0].grants[1].first, 0x1af41001u);
    EXPECT_EQ(m.services[0].grants[1].count, 2u);
}

TEST(Manifest, RefusesMalformedPciIds) {
    for (const char* line : {"pci 1af4", "pci 1af4:", "pci :1042", "pci 1af4:10420",
                             "pci 0x1af4:1042", "pci 1af4:104g", "pci 1af4:1042 64",
                             "pci 1af4:1042 1 2"}) {
        Manifest m = parse(std::string("service blk\n  program /bin/b\n  ") + line + "\n");
        EXPECT_EQ(m.service_count, 0u) << line;
        EXPECT_EQ(m.problem_count, 1u) << line;
    }
}

} // namespace
