// For each query n print H(n) = 1/1 + 1/2 + ... + 1/n modulo 998244353.
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
const ll MOD = 998244353;

int main() {
    int q;
    cin >> q;
    vector<int> ns(q);
    int maxN = 1;
    for (int& n : ns) {
        cin >> n;
        maxN = max(maxN, n);
    }
    // inv[i] = -(MOD / i) * inv[MOD % i] gives all inverses in O(maxN); then prefix sums
    vector<ll> inv(maxN + 1), H(maxN + 1, 0);
    inv[1] = 1;
    for (int i = 2; i <= maxN; i++) inv[i] = (MOD - (MOD / i) * inv[MOD % i] % MOD) % MOD;
    for (int i = 1; i <= maxN; i++) H[i] = (H[i - 1] + inv[i]) % MOD;
    for (int n : ns) cout << H[n] << "\n";
    return 0;
}
