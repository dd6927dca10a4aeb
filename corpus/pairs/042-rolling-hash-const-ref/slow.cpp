// String s and q seeded queries (i, j, len): count queries where s[i..i+len) == s[j..j+len) using polynomial hashing.
#include <bits/stdc++.h>
using namespace std;
typedef unsigned long long ull;

const ull MOD = (1ULL << 61) - 1;

ull mulmod(ull a, ull b) {
    __uint128_t p = (__uint128_t)a * b;
    ull r = (ull)(p & MOD) + (ull)(p >> 61);
    return r >= MOD ? r - MOD : r;
}

ull getHash(vector<ull> h, vector<ull> pw, int l, int r) {
    // hash of s[l, r)
    ull x = h[r] + MOD - mulmod(h[l], pw[r - l]);
    return x >= MOD ? x - MOD : x;
}

int main() {
    string s;
    int q;
    unsigned int seed;
    cin >> s >> q >> seed;
    int n = s.size();
    vector<ull> h(n + 1, 0), pw(n + 1, 1);
    const ull B = 911382323;
    for (int i = 0; i < n; i++) {
        h[i + 1] = (mulmod(h[i], B) + (ull)s[i]) % MOD;
        pw[i + 1] = mulmod(pw[i], B);
    }
    int equalCnt = 0;
    for (int t = 0; t < q; t++) {
        seed = seed * 1103515245u + 12345u;
        int len = 1 + (seed >> 8) % 12;
        seed = seed * 1103515245u + 12345u;
        int i = (seed >> 8) % (n - len + 1);
        seed = seed * 1103515245u + 12345u;
        int j = (seed >> 8) % (n - len + 1);
        if (getHash(h, pw, i, i + len) == getHash(h, pw, j, j + len)) equalCnt++;
    }
    cout << equalCnt << endl;
    return 0;
}
