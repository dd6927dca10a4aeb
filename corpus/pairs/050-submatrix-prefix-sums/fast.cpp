// Grid of digits; q seeded rectangle queries ask for the sum of digits inside; print the total over all queries and the largest answer.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int h, w, q;
    unsigned int seed;
    cin >> h >> w >> q >> seed;
    vector<string> g(h);
    for (int i = 0; i < h; i++) cin >> g[i];
    // P[i][j] = sum of the top-left i x j block
    vector<vector<long long>> P(h + 1, vector<long long>(w + 1, 0));
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++)
            P[i + 1][j + 1] = P[i][j + 1] + P[i + 1][j] - P[i][j] + (g[i][j] - '0');
    long long total = 0, best = 0;
    for (int t = 0; t < q; t++) {
        seed = seed * 1103515245u + 12345u;
        int r1 = (seed >> 8) % h;
        seed = seed * 1103515245u + 12345u;
        int r2 = (seed >> 8) % h;
        seed = seed * 1103515245u + 12345u;
        int c1 = (seed >> 8) % w;
        seed = seed * 1103515245u + 12345u;
        int c2 = (seed >> 8) % w;
        if (r1 > r2) swap(r1, r2);
        if (c1 > c2) swap(c1, c2);
        long long s = P[r2 + 1][c2 + 1] - P[r1][c2 + 1] - P[r2 + 1][c1] + P[r1][c1];
        total += s;
        best = max(best, s);
    }
    cout << total << " " << best << endl;
    return 0;
}
