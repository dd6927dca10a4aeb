// q queries "l r k": print the sum of all multiples of k in [l, r].
#include <bits/stdc++.h>
using namespace std;

// sum of multiples of k in [1, n] = k * (1 + 2 + ... + n/k)
long long upto(long long n, long long k) {
    long long c = n / k;
    return k * (c * (c + 1) / 2);
}

int main() {
    ios::sync_with_stdio(false);
    cin.tie(0);
    int q;
    cin >> q;
    while (q--) {
        long long l, r, k;
        cin >> l >> r >> k;
        cout << upto(r, k) - upto(l - 1, k) << '\n';
    }
}
