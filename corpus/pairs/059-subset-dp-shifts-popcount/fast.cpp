// Assign n tasks to n machines (n <= 20), cost[i][j] for task i on machine j; print the minimum total cost (bitmask DP).
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    vector<vector<int>> cost(n, vector<int>(n));
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) scanf("%d", &cost[i][j]);
    const int total = 1 << n;
    vector<long long> dp(total, LLONG_MAX);
    dp[0] = 0;
    for (int mask = 0; mask < total; mask++) {
        if (dp[mask] == LLONG_MAX) continue;
        int task = __builtin_popcount(mask);  // machines used so far
        if (task >= n) continue;
        const long long base = dp[mask];
        const vector<int>& row = cost[task];
        // iterate only the free machines: lowest set bit of the complement each step
        for (unsigned freeMask = ~mask & (total - 1); freeMask; freeMask &= freeMask - 1) {
            int j = __builtin_ctz(freeMask);
            int nxt = mask | (1 << j);
            if (base + row[j] < dp[nxt]) dp[nxt] = base + row[j];
        }
    }
    printf("%lld\n", dp[total - 1]);
    return 0;
}
