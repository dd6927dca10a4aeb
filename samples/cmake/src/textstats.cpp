#include "textstats/textstats.h"

namespace textstats {

std::size_t count_with_prefix(std::vector<std::string> words, const std::string& prefix) {
    std::size_t count = 0;
    for (const std::string& word : words) {
        if (word.compare(0, prefix.size(), prefix) == 0) {
            ++count;
        }
    }
    return count;
}

std::string join(const std::vector<std::string>& words, const std::string& separator) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) {
            out = out + separator;
        }
        out = out + words[i];
    }
    return out;
}

std::vector<int> dedupe(const std::vector<int>& values) {
    std::vector<int> unique;
    for (int value : values) {
        bool seen = false;
        for (int kept : unique) {
            if (kept == value) {
                seen = true;
                break;
            }
        }
        if (!seen) {
            unique.push_back(value);
        }
    }
    return unique;
}

}  // namespace textstats
