// For each of q numbers print "YES" if it is prime, otherwise "NO"; finally print how many were prime.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int q;
    cin >> q;
    int primes = 0;
    for (int t = 0; t < q; t++) {
        long long x;
        cin >> x;
        bool isPrime = x >= 2;
        for (long long d = 2; d * d <= x; d++) {
            if (x % d == 0) {
                isPrime = false;
                break;  // one divisor settles it
            }
        }
        if (isPrime) primes++;
        cout << (isPrime ? "YES" : "NO") << "\n";
    }
    cout << primes << "\n";
    return 0;
}
