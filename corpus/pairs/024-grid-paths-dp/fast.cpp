// Count monotone (right/down) paths from the top-left to the bottom-right cell avoiding '#', mod 1e9+7.
#include <bits/stdc++.h>
using namespace std;

const long long MOD = 1e9 + 7;

int main() {
    int H, W;
    cin >> H >> W;
    vector<string> grid(H);
    for (auto& row : grid) cin >> row;
    // dp[r][c] = paths from (r, c) to the goal, filled from the bottom-right corner
    vector<vector<long long>> dp(H + 1, vector<long long>(W + 1, 0));
    for (int r = H - 1; r >= 0; r--) {
        for (int c = W - 1; c >= 0; c--) {
            if (grid[r][c] == '#') dp[r][c] = 0;
            else if (r == H - 1 && c == W - 1) dp[r][c] = 1;
            else dp[r][c] = (dp[r + 1][c] + dp[r][c + 1]) % MOD;
        }
    }
    cout << dp[0][0] << "\n";
}
