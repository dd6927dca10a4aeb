// For each query n print H(n) = 1/1 + 1/2 + ... + 1/n modulo 998244353.
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
const ll MOD = 998244353;

ll modpow(ll b, ll e) {
    ll r = 1;
    b %= MOD;
    while (e) {
        if (e & 1) r = r * b % MOD;
        b = b * b % MOD;
        e >>= 1;
    }
    return r;
}

int main() {
    int q;
    cin >> q;
    for (int t = 0; t < q; t++) {
        int n;
        cin >> n;
        ll h = 0;
        for (int i = 1; i <= n; i++) h = (h + modpow(i, MOD - 2)) % MOD;
        cout << h << "\n";
    }
    return 0;
}
