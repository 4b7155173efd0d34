// A C++ program for the Wasm hypervisor, built with stock clang++ and Debian's libc++ for
// wasm32: counts the words of its arguments with the standard containers and algorithms.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    std::vector<std::string> words(argv + 1, argv + argc);
    std::map<std::string, int> counts;
    for (const std::string& w : words)
        ++counts[w];
    std::vector<std::pair<std::string, int>> sorted(counts.begin(), counts.end());
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.second > b.second || (a.second == b.second && a.first < b.first); });
    std::string longest = words.empty() ? "" : *std::max_element(words.begin(), words.end(),
        [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
    std::printf("%zu words, %zu distinct, longest \"%s\"\n", words.size(), counts.size(),
                longest.c_str());
    for (const auto& [word, count] : sorted)
        std::printf("%s %d\n", word.c_str(), count);
    return int(counts.size());
}
