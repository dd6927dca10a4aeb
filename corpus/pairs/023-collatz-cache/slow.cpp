// Among starting values 1..N, find the one whose Collatz sequence is longest; print it and the length.
#include <iostream>
using namespace std;

int main() {
    long long N;
    cin >> N;
    long long bestStart = 1, bestLen = 1;
    for (long long s = 1; s <= N; s++) {
        long long x = s, len = 1;
        while (x != 1) {
            x = (x % 2 == 0) ? x / 2 : 3 * x + 1;
            len++;
        }
        if (len > bestLen) {
            bestLen = len;
            bestStart = s;
        }
    }
    cout << bestStart << " " << bestLen << endl;
    return 0;
}
