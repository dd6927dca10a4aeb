// Stock Streaks
//
// An analyst studies the daily closing prices p_1..p_n of several stocks.  An
// "uptrend" is a subsequence of days (not necessarily adjacent) on which the
// price strictly increases; a "slide" is a subsequence on which the price never
// increases (each price <= the previous one).  For every stock print
//   Stock i: up=U slide=S key=K first=F
// where U is the length of the longest uptrend, S the length of the longest
// slide, K the number of days that belong to at least one longest uptrend, and
// F the 1-based day on which the lexicographically smallest (by day indices)
// longest uptrend starts.
//
// Input:  T, then for each stock n followed by n prices (1 <= p <= 10^9).
// Output: one line per stock.
#include <cstdio>
#include <vector>
#include <algorithm>
using namespace std;

struct Trend {
    int up, slide, key, first;
};

// end[i] = length of the longest strictly increasing subsequence ending at i
vector<int> longestEndingAt(const vector<long long>& p) {
    int n = p.size();
    vector<int> end(n, 1);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++) {
            if (p[j] < p[i] && end[j] + 1 > end[i]) end[i] = end[j] + 1;
        }
    }
    return end;
}

// start[i] = length of the longest strictly increasing subsequence starting at i
vector<int> longestStartingAt(const vector<long long>& p) {
    int n = p.size();
    vector<int> start(n, 1);
    for (int i = n - 1; i >= 0; i--) {
        for (int j = i + 1; j < n; j++) {
            if (p[j] > p[i] && start[j] + 1 > start[i]) start[i] = start[j] + 1;
        }
    }
    return start;
}

int longestSlide(const vector<long long>& p) {
    int n = p.size();
    vector<int> len(n, 1);
    int best = 0;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++) {
            if (p[j] >= p[i] && len[j] + 1 > len[i]) len[i] = len[j] + 1;
        }
        best = max(best, len[i]);
    }
    return best;
}

Trend analyze(const vector<long long>& p) {
    Trend t{0, 0, 0, 0};
    if (p.empty()) return t;
    vector<int> end = longestEndingAt(p);
    vector<int> start = longestStartingAt(p);
    for (int x : end) t.up = max(t.up, x);
    for (size_t i = 0; i < p.size(); i++) {
        if (end[i] + start[i] - 1 == t.up) {
            t.key++;
            if (t.first == 0 && start[i] == t.up) t.first = i + 1;
        }
    }
    t.slide = longestSlide(p);
    return t;
}

int main() {
    int t;
    if (scanf("%d", &t) != 1) return 0;
    for (int s = 1; s <= t; s++) {
        int n;
        scanf("%d", &n);
        vector<long long> p(n);
        for (int i = 0; i < n; i++) scanf("%lld", &p[i]);
        Trend r = analyze(p);
        printf("Stock %d: up=%d slide=%d key=%d first=%d\n", s, r.up, r.slide, r.key, r.first);
    }
    return 0;
}
