// q queries [l, r] (r <= 2e6): print how many primes lie in each range.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int q;
    cin >> q;
    vector<pair<int, int>> qs(q);
    int maxR = 2;
    for (auto& p : qs) {
        cin >> p.first >> p.second;
        maxR = max(maxR, p.second);
    }
    // one sieve up to the largest r, then prefix counts of primes
    vector<char> composite(maxR + 1, 0);
    vector<int> upto(maxR + 1, 0);
    for (int i = 2; (long long)i * i <= maxR; i++)
        if (!composite[i])
            for (int j = i * i; j <= maxR; j += i) composite[j] = 1;
    for (int x = 2; x <= maxR; x++) upto[x] = upto[x - 1] + !composite[x];
    for (auto& p : qs) {
        int l = p.first, r = p.second;
        cout << upto[r] - (l > 0 ? upto[l - 1] : 0) << "\n";
    }
    return 0;
}
