// Prime Gaps
//
// A number theory club studies primes inside windows of the number line.  For
// each window [L, R] print
//   count  the number of primes p with L <= p <= R
//   gap    the largest difference between two consecutive primes that both
//          lie in the window (0 when the window holds fewer than two primes)
//   twins  the number of twin prime pairs (p, p + 2) with both in the window
//   first  the smallest prime in the window, or -1 if there is none
//   sum    the sum of all primes in the window modulo 1000000007
//
// Input:  Q, then Q lines "L R" with 1 <= L <= R <= 10^9 and R - L <= 10^6.
// Output: one line per window: "count gap twins first sum".
#include <cstdio>
#include <vector>
using namespace std;

const long long MOD = 1000000007LL;

bool isPrime(long long x) {
    if (x < 2) return false;
    if (x % 2 == 0) return x == 2;
    for (long long d = 3; d * d <= x; d += 2) {
        if (x % d == 0) return false;
    }
    return true;
}

struct WindowStats {
    long long count = 0, gap = 0, twins = 0, first = -1, sum = 0;
};

WindowStats analyzeWindow(long long lo, long long hi) {
    WindowStats st;
    vector<long long> primes;
    for (long long x = lo; x <= hi; x++) {
        if (isPrime(x)) primes.push_back(x);
    }
    st.count = primes.size();
    if (!primes.empty()) st.first = primes[0];
    for (size_t i = 0; i < primes.size(); i++) {
        st.sum = (st.sum + primes[i]) % MOD;
        if (i > 0) {
            long long d = primes[i] - primes[i - 1];
            if (d > st.gap) st.gap = d;
            if (d == 2) st.twins++;
        }
    }
    return st;
}

int main() {
    int q;
    if (scanf("%d", &q) != 1) return 0;
    for (int i = 0; i < q; i++) {
        long long lo, hi;
        scanf("%lld %lld", &lo, &hi);
        WindowStats st = analyzeWindow(lo, hi);
        printf("%lld %lld %lld %lld %lld\n", st.count, st.gap, st.twins, st.first, st.sum);
    }
    return 0;
}
