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

long long factorial(int n) {
    long long f = 1;
    for (int i = 2; i <= n; i++) f = f * i % MOD;
    return f;
}

long long nCr(int n, int r) {
    if (r < 0 || r > n) return 0;
    return factorial(n) * power(factorial(r), MOD - 2) % MOD * power(factorial(n - r), MOD - 2) % MOD;
}

int main() {
    int q;
    scanf("%d", &q);
    while (q--) {
        int n, r;
        scanf("%d %d", &n, &r);
        printf("%lld\n", nCr(n, r));
    }
    return 0;
}
