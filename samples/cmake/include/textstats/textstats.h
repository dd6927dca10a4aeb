// textstats: small text statistics over word lists.
#ifndef TEXTSTATS_TEXTSTATS_H
#define TEXTSTATS_TEXTSTATS_H

#include <cstddef>
#include <string>
#include <vector>

namespace textstats {

// How many words start with `prefix`.
std::size_t count_with_prefix(std::vector<std::string> words, const std::string& prefix);

// The words joined by `separator`, in order.
std::string join(const std::vector<std::string>& words, const std::string& separator);

// The distinct values, in order of first appearance.
std::vector<int> dedupe(const std::vector<int>& values);

}  // namespace textstats

#endif  // TEXTSTATS_TEXTSTATS_H
