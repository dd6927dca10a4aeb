// Seeded set of n points on a line; for q seeded queries sum the distance to the nearest point.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, q;
    unsigned long long s;
    cin >> n >> q >> s;
    auto next = [&]() -> long long {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        return (long long)(s % 1000000000ULL);
    };
    set<long long> pts;
    for (int i = 0; i < n; i++) pts.insert(next());
    long long total = 0, far = 0;
    for (int i = 0; i < q; i++) {
        long long x = next();
        long long best = LLONG_MAX;
        set<long long>::iterator it = pts.lower_bound(x);
        if (it != pts.end()) best = min(best, *it - x);
        if (it != pts.begin()) {
            --it;
            best = min(best, x - *it);
        }
        total += best;
        far = max(far, best);
    }
    cout << pts.size() << " " << total << " " << far << endl;
    return 0;
}
