// The console's line discipline (lib/line_discipline.h), key by key as a terminal sends them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lib/line_discipline.h"

namespace {

struct Recorder final : lib::LineListener {
    std::string echoed;
    std::vector<std::string> lines;
    int ends = 0;
    int interrupts = 0;
    void echo(lib::StringView text) override { echoed.append(text.data(), text.length()); }
    void line(lib::StringView text) override { lines.emplace_back(text.data(), text.length()); }
    void end_of_input() override { ++ends; }
    void interrupt() override { ++interrupts; }
};

class LineDisciplineTest : public ::testing::Test {
protected:
    void type(const std::string& keys) { discipline.input(lib::StringView(keys.data(), keys.size())); }
    Recorder recorder;
    lib::LineDiscipline discipline{recorder};
};

TEST_F(LineDisciplineTest, EnterFinishesALineAndEchoesIt) {
    type("ls /bin\r");
    ASSERT_EQ(recorder.lines.size(), 1u);
    EXPECT_EQ(recorder.lines[0], "ls /bin\n");
    EXPECT_EQ(recorder.echoed, "ls /bin\n");
    type("echo\n");
    EXPECT_EQ(recorder.lines.back(), "echo\n");
}

TEST_F(LineDisciplineTest, BackspaceDeletesTheCharacterBeforeTheCursor) {
    type("lx\x7fs\r");
    EXPECT_EQ(recorder.lines.at(0), "ls\n");
    type("ab\b\bc\r"); // 0x08 works too; more backspaces than characters are harmless
    EXPECT_EQ(recorder.lines.at(1), "c\n");
    type("\x7f\x7f\r");
    EXPECT_EQ(recorder.lines.at(2), "\n");
}

TEST_F(LineDisciplineTest, ArrowsMoveTheCursorForInsertion) {
    type("ac\x1b[Db\r"); // left once, insert b between a and c
    EXPECT_EQ(recorder.lines.at(0), "abc\n");
    type("xyz\x1b[D\x1b[D\x1b[C\x7f\r"); // left, left, right, delete y
    EXPECT_EQ(recorder.lines.at(1), "xz\n");
    type("q\x1b[D\x1b[D\x1b[Dw\r"); // cannot move left of the start
    EXPECT_EQ(recorder.lines.at(2), "wq\n");
}

TEST_F(LineDisciplineTest, TheEchoRedrawsTheTailOfAnEditedLine) {
    type("ac\x1b[Db");
    // "a", "c", cursor back one, then "bc" and back one over the c.
    EXPECT_EQ(recorder.echoed, "ac\x1b[1Dbc\x1b[1D");
    EXPECT_EQ(discipline.current().length(), 3u);
    EXPECT_EQ(discipline.cursor(), 2u);
}

TEST_F(LineDisciplineTest, HistoryWalksBackAndForth) {
    type("first\r");
    type("second\r");
    type("\x1b[A\r");
    EXPECT_EQ(recorder.lines.back(), "second\n");
    type("\x1b[A\x1b[A\x1b[A\r"); // back past the oldest stays at the oldest
    EXPECT_EQ(recorder.lines.back(), "first\n");
    type("draft\x1b[A\x1b[B\r"); // up then down again: the line is empty
    EXPECT_EQ(recorder.lines.back(), "\n");
    type("\x1b[A" "2\r"); // a recalled line can be edited
    EXPECT_EQ(recorder.lines.back(), "first2\n");
}

TEST_F(LineDisciplineTest, ControlCDropsTheLineAndInterrupts) {
    type("sleep 100\x03");
    EXPECT_EQ(recorder.interrupts, 1);
    EXPECT_TRUE(recorder.lines.empty());
    EXPECT_NE(recorder.echoed.find("^C\n"), std::string::npos);
    type("ok\r");
    EXPECT_EQ(recorder.lines.at(0), "ok\n");
}

TEST_F(LineDisciplineTest, ControlDIsEndOfInputOnAnEmptyLineAndFlushesOtherwise) {
    type("\x04");
    EXPECT_EQ(recorder.ends, 1);
    type("partial\x04");
    EXPECT_EQ(recorder.ends, 1);
    EXPECT_EQ(recorder.lines.at(0), "partial"); // no newline: the program sees the bytes
}

TEST_F(LineDisciplineTest, ControlAEAndUEditTheWholeLine) {
    type("bc\x01" "a\x05" "d\r");
    EXPECT_EQ(recorder.lines.at(0), "abcd\n");
    type("junk\x15ok\r");
    EXPECT_EQ(recorder.lines.at(1), "ok\n");
}

TEST_F(LineDisciplineTest, AFullLineDropsFurtherKeysAndUnknownSequencesAreIgnored) {
    type(std::string(lib::LineDiscipline::MAX_LINE + 20, 'x'));
    EXPECT_EQ(discipline.current().length(), lib::LineDiscipline::MAX_LINE);
    type("\r");
    type("a\x1b[1;5Cb\x1bOc\x07\r"); // ctrl-right (ESC [ 1 ; 5 C) is a right arrow; ESC O, BEL ignored
    EXPECT_EQ(recorder.lines.back(), "abc\n");
}

TEST_F(LineDisciplineTest, RandomKeysNeverBreakIt) {
    uint32_t state = 12345;
    for (int i = 0; i < 100000; ++i) {
        state = state * 1103515245 + 12345;
        discipline.input(char(state >> 16));
        ASSERT_LE(discipline.cursor(), discipline.current().length());
        ASSERT_LE(discipline.current().length(), lib::LineDiscipline::MAX_LINE);
    }
}

} // namespace
