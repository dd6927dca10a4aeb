// Seeded (key, weight) records; answer q seeded queries "total weight and count of records with key in [l, r]" by scanning the range.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, q, span;
    unsigned int seed;
    cin >> n >> q >> span >> seed;
    auto rnd = [&]() {
        seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5;
        return seed;
    };
    map<int, long long> rec;
    for (int i = 0; i < n; i++) {
        int key = rnd() % 100000000;
        int weight = rnd() % 1000;
        rec[key] += weight;
    }
    long long checksum = 0;
    for (int i = 0; i < q; i++) {
        int l = rnd() % 100000000;
        int r = l + span;
        long long total = 0;
        int cnt = 0;
        for (map<int, long long>::iterator it = rec.lower_bound(l); it != rec.end() && it->first <= r; ++it) {
            total += it->second;
            cnt++;
        }
        checksum = (checksum * 1000003 + total * 31 + cnt) % 998244353;
    }
    cout << rec.size() << " " << checksum << endl;
    return 0;
}
