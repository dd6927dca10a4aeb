// For each of q pairs (a, b) of positive integers print gcd(a, b) and the lcm modulo 998244353.
#include <bits/stdc++.h>
using namespace std;
using ll = long long;

ll gcdMod(ll a, ll b) {  // Euclid: O(log min(a, b)) steps
    while (b) {
        ll t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int main() {
    int q;
    cin >> q;
    const ll MOD = 998244353;
    while (q--) {
        ll a, b;
        cin >> a >> b;
        ll g = gcdMod(a, b);
        ll l = (a / g) % MOD * (b % MOD) % MOD;
        cout << g << " " << l << "\n";
    }
}
