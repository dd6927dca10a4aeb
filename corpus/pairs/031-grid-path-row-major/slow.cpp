// Minimum-cost monotone (right/down) path through an h x w grid whose cell costs come from a seeded hash.
#include <bits/stdc++.h>
using namespace std;

int h, w;
unsigned int salt;

int cost(int i, int j) {
    unsigned int x = (unsigned)i * 2654435761u ^ (unsigned)j * 2246822519u ^ salt;
    x ^= x >> 15;
    x *= 2654435761u;
    return (x >> 20) & 1023;
}

int main() {
    cin >> h >> w >> salt;
    vector<vector<long long>> dp(h, vector<long long>(w, 0));
    // column by column: every step jumps to another row vector
    for (int j = 0; j < w; j++) {
        for (int i = 0; i < h; i++) {
            long long best;
            if (i == 0 && j == 0) best = 0;
            else if (i == 0) best = dp[i][j - 1];
            else if (j == 0) best = dp[i - 1][j];
            else best = min(dp[i - 1][j], dp[i][j - 1]);
            dp[i][j] = best + cost(i, j);
        }
    }
    long long total = 0;
    for (int i = 0; i < h; i++) total += dp[i][w - 1] % 1000;
    cout << dp[h - 1][w - 1] << " " << total << endl;
    return 0;
}
