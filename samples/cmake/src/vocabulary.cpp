#include "textstats/vocabulary.h"

#include <algorithm>

namespace textstats {

void Vocabulary::add(const std::string& word) {
    if (std::find(words_.begin(), words_.end(), word) == words_.end()) {
        words_.push_back(word);
    }
}

std::string Vocabulary::listing(const std::string& terminator) const {
    std::string out;
    for (const std::string& word : words_) {
        out = out + word;
        out = out + terminator;
    }
    return out;
}

}  // namespace textstats
