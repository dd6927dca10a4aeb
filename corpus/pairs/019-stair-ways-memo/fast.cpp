// Ways to climb from step 0 to step n with jumps of 1, 2 or 3, never landing on a broken step (mod 1e9+7).
#include <bits/stdc++.h>
using namespace std;
const int MOD = 1000000007;

int main() {
    int n, m;
    cin >> n >> m;
    vector<bool> broken(n + 1, false);
    for (int i = 0; i < m; i++) {
        int b;
        cin >> b;
        broken[b] = true;
    }
    // dp[s] = ways to reach n from s; each state computed once
    vector<long long> dp(n + 4, 0);
    dp[n] = 1;
    for (int s = n - 1; s >= 0; s--)
        dp[s] = broken[s] ? 0 : (dp[s + 1] + dp[s + 2] + dp[s + 3]) % MOD;
    cout << dp[0] << endl;
    return 0;
}
