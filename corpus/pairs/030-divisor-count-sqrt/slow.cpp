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
        for (long long d = 1; d <= x; d++) {
            if (x % d == 0) {
                cnt++;
                sum += d;
            }
        }
        cout << cnt << ' ' << sum << '\n';
    }
    return 0;
}
