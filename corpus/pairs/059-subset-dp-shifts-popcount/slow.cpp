// Assign n tasks to n machines (n <= 20), cost[i][j] for task i on machine j; print the minimum total cost (bitmask DP).
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    cin >> n;
    vector<vector<int>> cost(n, vector<int>(n));
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) cin >> cost[i][j];
    vector<int> pw(n + 1, 1);
    for (int j = 1; j <= n; j++) pw[j] = pw[j - 1] * 2;
    int total = pw[n];
    vector<long long> dp(total, LLONG_MAX);
    dp[0] = 0;
    for (int mask = 0; mask < total; mask++) {
        if (dp[mask] == LLONG_MAX) continue;
        // number of machines already used = next task index
        int task = 0, m = mask;
        while (m > 0) {
            task += m % 2;
            m /= 2;
        }
        if (task >= n) continue;
        for (int j = 0; j < n; j++) {
            if ((mask / pw[j]) % 2 == 1) continue;
            int nxt = mask + pw[j];
            dp[nxt] = min(dp[nxt], dp[mask] + cost[task][j]);
        }
    }
    cout << dp[total - 1] << endl;
    return 0;
}
