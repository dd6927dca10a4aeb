// Answer q queries C(n, r) mod 1e9+7.
#include <bits/stdc++.h>
using namespace std;
const long long MOD = 1000000007LL;

long long power(long long b, long long e) {
    long long r = 1;
    b %= MOD;
    while (e > 0) {
        if (e & 1) r = r * b % MOD;
        b = b * b % MOD;
        e >>= 1;
    }
    return r;
}

int main() {
    int q;
    scanf("%d", &q);
    vector<pair<int, int>> qs(q);
    int maxN = 1;
    for (auto& p : qs) {
        scanf("%d %d", &p.first, &p.second);
        maxN = max(maxN, p.first);
    }
    // factorials and inverse factorials once, then O(1) per query
    vector<long long> fact(maxN + 1), inv(maxN + 1);
    fact[0] = 1;
    for (int i = 1; i <= maxN; i++) fact[i] = fact[i - 1] * i % MOD;
    inv[maxN] = power(fact[maxN], MOD - 2);
    for (int i = maxN; i > 0; i--) inv[i - 1] = inv[i] * i % MOD;
    for (auto& p : qs) {
        int n = p.first, r = p.second;
        long long ans = (r < 0 || r > n) ? 0 : fact[n] * inv[r] % MOD * inv[n - r] % MOD;
        printf("%lld\n", ans);
    }
    return 0;
}
