// Seeded (key, weight) records; answer q seeded queries "total weight and count of records with key in [l, r]" by scanning the range.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, q, span;
    unsigned int seed;
    scanf("%d %d %d %u", &n, &q, &span, &seed);
    auto rnd = [&]() {
        seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5;
        return seed;
    };
    // records are static: sort once into contiguous (key, weight) pairs and merge equal keys
    vector<pair<int, long long>> raw(n);
    for (int i = 0; i < n; i++) {
        int key = rnd() % 100000000;
        int weight = rnd() % 1000;
        raw[i] = {key, weight};
    }
    sort(raw.begin(), raw.end());
    vector<int> keys;
    vector<long long> wts;
    keys.reserve(n);
    wts.reserve(n);
    for (auto& p : raw) {
        if (!keys.empty() && keys.back() == p.first) wts.back() += p.second;
        else {
            keys.push_back(p.first);
            wts.push_back(p.second);
        }
    }
    long long checksum = 0;
    for (int i = 0; i < q; i++) {
        int l = rnd() % 100000000;
        int r = l + span;
        size_t k = lower_bound(keys.begin(), keys.end(), l) - keys.begin();
        long long total = 0;
        int cnt = 0;
        for (; k < keys.size() && keys[k] <= r; k++) {
            total += wts[k];
            cnt++;
        }
        checksum = (checksum * 1000003 + total * 31 + cnt) % 998244353;
    }
    printf("%zu %lld\n", keys.size(), checksum);
    return 0;
}
