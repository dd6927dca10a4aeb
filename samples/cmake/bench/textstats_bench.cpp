#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "textstats/textstats.h"
#include "textstats/vocabulary.h"

namespace {

std::vector<std::string> words(std::size_t n) {
    std::mt19937 rng(42);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
        std::string word(20 + rng() % 20, 'a');
        for (char& c : word) c = static_cast<char>('a' + rng() % 4);
        out.push_back(word);
    }
    return out;
}

void BM_CountWithPrefix(benchmark::State& state) {
    const auto input = words(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(textstats::count_with_prefix(input, "ab"));
}
BENCHMARK(BM_CountWithPrefix)->RangeMultiplier(2)->Range(16, 4096);  // 9 instances: an input-level bound

void BM_Join(benchmark::State& state) {
    const auto input = words(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(textstats::join(input, ","));
}
BENCHMARK(BM_Join)->RangeMultiplier(2)->Range(16, 4096);  // 9 instances: an input-level bound

void BM_Dedupe(benchmark::State& state) {
    std::mt19937 rng(7);
    std::vector<int> input(static_cast<std::size_t>(state.range(0)));
    for (int& v : input) v = static_cast<int>(rng() % 5000);
    for (auto _ : state) benchmark::DoNotOptimize(textstats::dedupe(input));
}
BENCHMARK(BM_Dedupe)->RangeMultiplier(2)->Range(16, 4096);  // 9 instances: an input-level bound

void BM_Listing(benchmark::State& state) {
    textstats::Vocabulary vocabulary;
    for (const std::string& word : words(static_cast<std::size_t>(state.range(0)))) vocabulary.add(word);
    for (auto _ : state) benchmark::DoNotOptimize(vocabulary.listing("\n"));
}
BENCHMARK(BM_Listing)->RangeMultiplier(2)->Range(8, 2048);  // 9 instances: an input-level bound

}  // namespace
