// Prime Gaps (fast version: segmented sieve of Eratosthenes)
//
// See ../prime_gaps.cpp for the statement.  Instead of trial division of every
// number in the window, the base primes up to sqrt(max R) are sieved once and
// each window is sieved in O((R - L) log log R + #base primes).
#include <cstdio>
#include <vector>
#include <algorithm>
using namespace std;

const long long MOD = 1000000007LL;

struct WindowStats {
    long long count = 0, gap = 0, twins = 0, first = -1, sum = 0;
};

vector<int> basePrimes(int limit) {
    vector<char> composite(limit + 1, 0);
    vector<int> primes;
    for (int i = 2; i <= limit; i++) {
        if (composite[i]) continue;
        primes.push_back(i);
        for (long long j = (long long)i * i; j <= limit; j += i) composite[j] = 1;
    }
    return primes;
}

WindowStats analyzeWindow(long long lo, long long hi, const vector<int>& base, vector<char>& mark) {
    WindowStats st;
    long long len = hi - lo + 1;
    mark.assign(len, 1);
    for (int p : base) {
        long long pp = (long long)p * p;
        if (pp > hi) break;
        long long start = max(pp, (lo + p - 1) / p * p);
        for (long long j = start; j <= hi; j += p) mark[j - lo] = 0;
    }
    for (long long x = lo; x < 2 && x <= hi; x++) mark[x - lo] = 0;
    long long prev = -1;
    for (long long i = 0; i < len; i++) {
        if (!mark[i]) continue;
        long long p = lo + i;
        st.count++;
        if (st.first == -1) st.first = p;
        st.sum = (st.sum + p) % MOD;
        if (prev != -1) {
            long long d = p - prev;
            if (d > st.gap) st.gap = d;
            if (d == 2) st.twins++;
        }
        prev = p;
    }
    return st;
}

int main() {
    int q;
    if (scanf("%d", &q) != 1) return 0;
    vector<long long> lo(q), hi(q);
    long long maxHi = 1;
    for (int i = 0; i < q; i++) {
        scanf("%lld %lld", &lo[i], &hi[i]);
        maxHi = max(maxHi, hi[i]);
    }
    int limit = 1;
    while ((long long)(limit + 1) * (limit + 1) <= maxHi) limit++;
    vector<int> base = basePrimes(limit);
    vector<char> mark;
    for (int i = 0; i < q; i++) {
        WindowStats st = analyzeWindow(lo[i], hi[i], base, mark);
        printf("%lld %lld %lld %lld %lld\n", st.count, st.gap, st.twins, st.first, st.sum);
    }
    return 0;
}
