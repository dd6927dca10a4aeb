// n seeded 64-bit fingerprints: count pairs whose Hamming distance is at most k.
#include <bits/stdc++.h>
using namespace std;
typedef unsigned long long ull;

int main() {
    int n, k;
    ull seed;
    cin >> n >> k >> seed;
    vector<ull> f(n);
    for (int i = 0; i < n; i++) {
        seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
        // correlated fingerprints: mask off a seeded number of low bits
        f[i] = seed & (~0ULL << (seed % 8));
    }
    long long close = 0;
    for (int i = 0; i < n; i++) {
        const ull a = f[i];
        for (int j = i + 1; j < n; j++)
            close += __builtin_popcountll(a ^ f[j]) <= k;  // hardware/library popcount
    }
    cout << close << endl;
    return 0;
}
