// textstats: a vocabulary of words, kept in the order they were first added.
#ifndef TEXTSTATS_VOCABULARY_H
#define TEXTSTATS_VOCABULARY_H

#include <cstddef>
#include <string>
#include <vector>

namespace textstats {

class Vocabulary {
public:
    // Adds `word` unless it is already known.
    void add(const std::string& word);

    // How many distinct words were added.
    std::size_t size() const { return words_.size(); }

    // Every word, in order of first addition, each followed by `terminator`.
    std::string listing(const std::string& terminator) const;

private:
    std::vector<std::string> words_;
};

}  // namespace textstats

#endif  // TEXTSTATS_VOCABULARY_H
