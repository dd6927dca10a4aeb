// q queries "l r k": print the sum of all multiples of k in [l, r].
#include <bits/stdc++.h>
using namespace std;

long long sumMultiples(long long l, long long r, long long k) {
    long long s = 0;
    for (long long x = l; x <= r; x++) {
        if (x % k == 0) s += x;
    }
    return s;
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(0);
    int q;
    cin >> q;
    while (q--) {
        long long l, r, k;
        cin >> l >> r >> k;
        cout << sumMultiples(l, r, k) << '\n';
    }
}
