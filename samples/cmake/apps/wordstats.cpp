// wordstats: reads a prefix and a list of words from stdin; prints how many words start with the prefix,
// how many distinct word lengths there are, and the first words joined by ", ".
#include <cstddef>
#include <iostream>
#include <string>
#include <vector>

#include "textstats/textstats.h"

int main() {
    std::string prefix;
    std::cin >> prefix;
    std::vector<std::string> words;
    std::vector<int> lengths;
    std::string word;
    while (std::cin >> word) {
        lengths.push_back(static_cast<int>(word.size()));
        words.push_back(word);
    }
    std::vector<std::string> head(words.begin(), words.begin() + (words.size() < 5 ? words.size() : 5));
    std::cout << textstats::count_with_prefix(words, prefix) << " words start with " << prefix << "\n";
    std::cout << textstats::dedupe(lengths).size() << " distinct lengths\n";
    std::cout << textstats::join(head, ", ") << "\n";
    return 0;
}
