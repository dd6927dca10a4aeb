#include <gtest/gtest.h>

#include "textstats/textstats.h"
#include "textstats/vocabulary.h"

using textstats::count_with_prefix;
using textstats::dedupe;
using textstats::join;

TEST(CountWithPrefix, CountsMatchingWords) {
    EXPECT_EQ(count_with_prefix({"apple", "apricot", "banana", "ap"}, "ap"), 3u);
    EXPECT_EQ(count_with_prefix({}, "x"), 0u);
    EXPECT_EQ(count_with_prefix({"a", "b"}, ""), 2u);
}

TEST(Join, JoinsWithSeparator) {
    EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
    EXPECT_EQ(join({}, ","), "");
    EXPECT_EQ(join({"solo"}, ","), "solo");
}

TEST(Dedupe, KeepsFirstAppearanceOrder) {
    EXPECT_EQ(dedupe({3, 1, 3, 2, 1}), (std::vector<int>{3, 1, 2}));
    EXPECT_EQ(dedupe({}), std::vector<int>{});
}

TEST(Vocabulary, ListsDistinctWordsInOrder) {
    textstats::Vocabulary vocabulary;
    for (const char* word : {"to", "be", "or", "not", "to", "be"}) vocabulary.add(word);
    EXPECT_EQ(vocabulary.size(), 4u);
    EXPECT_EQ(vocabulary.listing("\n"), "to\nbe\nor\nnot\n");
    EXPECT_EQ(textstats::Vocabulary().listing(";"), "");
}
