// 0/1 knapsack: n items (weight, value), capacity W; print the maximum total value.
#include <bits/stdc++.h>
using namespace std;
using ll = long long;

int N;
ll W;
vector<ll> wt, val;
ll best = 0;

// try every subset: take or skip item i
void dfs(int i, ll w, ll v) {
    if (w > W) return;
    if (i == N) {
        best = max(best, v);
        return;
    }
    dfs(i + 1, w + wt[i], v + val[i]);
    dfs(i + 1, w, v);
}

int main() {
    cin >> N >> W;
    wt.resize(N);
    val.resize(N);
    for (int i = 0; i < N; i++) cin >> wt[i] >> val[i];
    dfs(0, 0, 0);
    cout << best << endl;
}
