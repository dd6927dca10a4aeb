// Among starting values 1..N, find the one whose Collatz sequence is longest; print it and the length.
#include <iostream>
#include <vector>
using namespace std;

int main() {
    long long N;
    cin >> N;
    // cache[v] = sequence length from v, for every v <= N already solved
    vector<int> cache(N + 1, 0);
    cache[1] = 1;
    long long bestStart = 1, bestLen = 1;
    for (long long s = 2; s <= N; s++) {
        long long x = s, steps = 0;
        while (x >= s) {  // walk until we drop below s: that value is cached
            x = (x % 2 == 0) ? x / 2 : 3 * x + 1;
            steps++;
        }
        long long len = steps + cache[x];
        cache[s] = (int)len;
        if (len > bestLen) {
            bestLen = len;
            bestStart = s;
        }
    }
    cout << bestStart << " " << bestLen << endl;
    return 0;
}
