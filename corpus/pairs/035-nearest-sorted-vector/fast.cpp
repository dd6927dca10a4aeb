// Seeded set of n points on a line; for q seeded queries sum the distance to the nearest point.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, q;
    unsigned long long s;
    scanf("%d %d %llu", &n, &q, &s);
    auto next = [&]() -> long long {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        return (long long)(s % 1000000000ULL);
    };
    // static point set: one sorted contiguous array instead of a red-black tree
    vector<long long> pts(n);
    for (int i = 0; i < n; i++) pts[i] = next();
    sort(pts.begin(), pts.end());
    pts.erase(unique(pts.begin(), pts.end()), pts.end());
    long long total = 0, far = 0;
    for (int i = 0; i < q; i++) {
        long long x = next();
        long long best = LLONG_MAX;
        size_t k = lower_bound(pts.begin(), pts.end(), x) - pts.begin();
        if (k < pts.size()) best = min(best, pts[k] - x);
        if (k > 0) best = min(best, x - pts[k - 1]);
        total += best;
        far = max(far, best);
    }
    printf("%zu %lld %lld\n", pts.size(), total, far);
    return 0;
}
