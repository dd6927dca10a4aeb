// Given n numbers and q seeded targets, count for each target how many numbers are <= it (recursive binary search); print the sum of counts.
#include <bits/stdc++.h>
using namespace std;

int upperCount(vector<long long> a, int lo, int hi, long long x) {
    // first index in [lo, hi) with a[idx] > x
    if (lo >= hi) return lo;
    int mid = (lo + hi) / 2;
    if (a[mid] <= x) return upperCount(a, mid + 1, hi, x);
    return upperCount(a, lo, mid, x);
}

int main() {
    int n, q;
    unsigned long long seed;
    cin >> n >> q >> seed;
    vector<long long> a(n);
    for (int i = 0; i < n; i++) cin >> a[i];
    sort(a.begin(), a.end());
    long long total = 0;
    for (int i = 0; i < q; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        long long x = (long long)(seed >> 34);
        total += upperCount(a, 0, n, x);
    }
    cout << total << endl;
    return 0;
}
