// n seeded numbers in [1, M]: print the sum of their divisor counts and the number with the most divisors (smallest on ties).
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, M;
    unsigned int seed;
    cin >> n >> M >> seed;
    // divisor-count table for every value up to M: O(M log M) once
    vector<int> divs(M + 1, 0);
    for (int d = 1; d <= M; d++)
        for (int k = d; k <= M; k += d) divs[k]++;
    long long sum = 0;
    int bestX = 0, bestD = 0;
    for (int i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        int x = (seed >> 4) % M + 1;
        int d = divs[x];
        sum += d;
        if (d > bestD || (d == bestD && x < bestX)) {
            bestD = d;
            bestX = x;
        }
    }
    cout << sum << " " << bestX << " " << bestD << endl;
    return 0;
}
