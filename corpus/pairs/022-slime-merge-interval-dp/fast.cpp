// n slimes in a row; merging two adjacent slimes of sizes x and y costs x + y. Minimum cost to merge all.
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;

int main() {
    int n;
    scanf("%d", &n);
    vector<ll> a(n), pre(n + 1, 0);
    for (int i = 0; i < n; i++) {
        scanf("%lld", &a[i]);
        pre[i + 1] = pre[i] + a[i];
    }
    // interval DP by increasing length: every (l, r) solved once, O(n^3)
    vector<vector<ll>> dp(n, vector<ll>(n, 0));
    for (int len = 2; len <= n; len++) {
        for (int l = 0; l + len - 1 < n; l++) {
            int r = l + len - 1;
            ll best = LLONG_MAX;
            for (int k = l; k < r; k++)
                best = min(best, dp[l][k] + dp[k + 1][r]);
            dp[l][r] = best + pre[r + 1] - pre[l];
        }
    }
    printf("%lld\n", dp[0][n - 1]);
}
