// 0/1 knapsack: n items with weight and value, capacity W; print the best total value.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, W;
    cin >> n >> W;
    vector<int> wt(n + 1), val(n + 1);
    for (int i = 1; i <= n; i++) cin >> wt[i] >> val[i];
    // table indexed [capacity][item]
    vector<vector<long long>> best(W + 1, vector<long long>(n + 1, 0));
    for (int i = 1; i <= n; i++) {
        for (int c = 0; c <= W; c++) {
            best[c][i] = best[c][i - 1];
            if (c >= wt[i] && best[c - wt[i]][i - 1] + val[i] > best[c][i])
                best[c][i] = best[c - wt[i]][i - 1] + val[i];
        }
    }
    cout << best[W][n] << endl;
    return 0;
}
