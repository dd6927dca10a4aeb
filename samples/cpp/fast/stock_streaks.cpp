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
// (patience sorting: tails[k] = smallest tail of an increasing run of length k+1)
vector<int> longestEndingAt(const vector<long long>& p) {
    int n = p.size();
    vector<int> end(n);
    vector<long long> tails;
    tails.reserve(n);
    for (int i = 0; i < n; i++) {
        int k = lower_bound(tails.begin(), tails.end(), p[i]) - tails.begin();
        if (k == (int)tails.size()) tails.push_back(p[i]);
        else tails[k] = p[i];
        end[i] = k + 1;
    }
    return end;
}

// start[i] = length of the longest strictly increasing subsequence starting at i:
// scanning right to left it is a strictly decreasing run, i.e. increasing in -p
vector<int> longestStartingAt(const vector<long long>& p) {
    int n = p.size();
    vector<int> start(n);
    vector<long long> tails;
    tails.reserve(n);
    for (int i = n - 1; i >= 0; i--) {
        long long v = -p[i];
        int k = lower_bound(tails.begin(), tails.end(), v) - tails.begin();
        if (k == (int)tails.size()) tails.push_back(v);
        else tails[k] = v;
        start[i] = k + 1;
    }
    return start;
}

// longest non-increasing subsequence = longest non-decreasing one in -p
int longestSlide(const vector<long long>& p) {
    vector<long long> tails;
    tails.reserve(p.size());
    for (long long x : p) {
        long long v = -x;
        auto it = upper_bound(tails.begin(), tails.end(), v);
        if (it == tails.end()) tails.push_back(v);
        else *it = v;
    }
    return tails.size();
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
