// q queries [l, r] (r <= 2e6): print how many primes lie in each range.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int q;
    cin >> q;
    while (q--) {
        int l, r;
        cin >> l >> r;
        vector<bool> isPrime(r + 1, true);
        isPrime[0] = false;
        if (r >= 1) isPrime[1] = false;
        for (int i = 2; (long long)i * i <= r; i++)
            if (isPrime[i])
                for (int j = i * i; j <= r; j += i) isPrime[j] = false;
        int cnt = 0;
        for (int x = l; x <= r; x++)
            if (isPrime[x]) cnt++;
        cout << cnt << "\n";
    }
    return 0;
}
