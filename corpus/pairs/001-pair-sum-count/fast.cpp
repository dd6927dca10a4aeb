// Count pairs (i < j) with a[i] + a[j] == K.
#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    long long K;
    cin >> n >> K;
    vector<long long> a(n);
    for (int i = 0; i < n; i++) cin >> a[i];

    // sort, then two pointers; runs of equal values are counted in one step
    sort(a.begin(), a.end());
    long long cnt = 0;
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        long long s = a[lo] + a[hi];
        if (s < K) {
            lo++;
        } else if (s > K) {
            hi--;
        } else if (a[lo] == a[hi]) {
            long long m = hi - lo + 1;
            cnt += m * (m - 1) / 2;
            break;
        } else {
            long long cl = 1, ch = 1;
            while (lo + 1 < hi && a[lo + 1] == a[lo]) { lo++; cl++; }
            while (hi - 1 > lo && a[hi - 1] == a[hi]) { hi--; ch++; }
            cnt += cl * ch;
            lo++;
            hi--;
        }
    }
    cout << cnt << endl;
    return 0;
}
