// For each of q pairs (a, b) of positive integers print gcd(a, b) and the lcm modulo 998244353.
#include <bits/stdc++.h>
using namespace std;
using ll = long long;

ll gcdSub(ll a, ll b) {  // subtraction-based gcd
    while (a != b) {
        if (a > b) a -= b;
        else b -= a;
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
        ll g = gcdSub(a, b);
        ll l = (a / g) % MOD * (b % MOD) % MOD;
        cout << g << " " << l << "\n";
    }
}
