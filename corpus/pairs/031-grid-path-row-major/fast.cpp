// Minimum-cost monotone (right/down) path through an h x w grid whose cell costs come from a seeded hash.
#include <bits/stdc++.h>
using namespace std;

int h, w;
unsigned int salt;

inline int cost(int i, int j) {
    unsigned int x = (unsigned)i * 2654435761u ^ (unsigned)j * 2246822519u ^ salt;
    x ^= x >> 15;
    x *= 2654435761u;
    return (x >> 20) & 1023;
}

int main() {
    cin >> h >> w >> salt;
    // row by row with a single rolling row: O(w) memory, sequential access
    vector<long long> row(w, 0);
    long long total = 0;
    for (int i = 0; i < h; i++) {
        for (int j = 0; j < w; j++) {
            long long best;
            if (i == 0 && j == 0) best = 0;
            else if (i == 0) best = row[j - 1];
            else if (j == 0) best = row[j];
            else best = min(row[j], row[j - 1]);
            row[j] = best + cost(i, j);
        }
        total += row[w - 1] % 1000;
    }
    cout << row[w - 1] << " " << total << endl;
    return 0;
}
