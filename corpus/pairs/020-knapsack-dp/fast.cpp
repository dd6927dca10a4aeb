// 0/1 knapsack: n items (weight, value), capacity W; print the maximum total value.
#include <bits/stdc++.h>
using namespace std;
using ll = long long;

int main() {
    int N;
    ll W;
    cin >> N >> W;
    vector<ll> wt(N), val(N);
    for (int i = 0; i < N; i++) cin >> wt[i] >> val[i];

    // dp[c] = best value with total weight <= c using the items seen so far;
    // capacities go downwards so every item is used at most once
    vector<ll> dp(W + 1, 0);
    for (int i = 0; i < N; i++) {
        for (ll c = W; c >= wt[i]; c--) {
            dp[c] = max(dp[c], dp[c - wt[i]] + val[i]);
        }
    }
    cout << dp[W] << endl;
}
