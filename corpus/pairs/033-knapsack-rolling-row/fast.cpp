// 0/1 knapsack: n items with weight and value, capacity W; print the best total value.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, W;
    scanf("%d %d", &n, &W);
    vector<int> wt(n), val(n);
    for (int i = 0; i < n; i++) scanf("%d %d", &wt[i], &val[i]);
    vector<long long> dp(W + 1, 0);
    for (int i = 0; i < n; i++) {
        const int w = wt[i];
        const long long v = val[i];
        // one contiguous row, updated from high capacity to low
        for (int c = W; c >= w; c--)
            if (dp[c - w] + v > dp[c]) dp[c] = dp[c - w] + v;
    }
    printf("%lld\n", dp[W]);
    return 0;
}
