// For each of q integers x print the number of its divisors and their sum.
#include <iostream>
using namespace std;

int main() {
    int q;
    cin >> q;
    while (q--) {
        long long x;
        cin >> x;
        long long cnt = 0, sum = 0;
        // divisors come in pairs (d, x / d) with d <= sqrt(x)
        for (long long d = 1; d * d <= x; d++) {
            if (x % d == 0) {
                long long e = x / d;
                cnt += (e == d) ? 1 : 2;
                sum += (e == d) ? d : d + e;
            }
        }
        cout << cnt << ' ' << sum << '\n';
    }
    return 0;
}
