// Assign n workers to n jobs (n <= 10) minimising total cost; print the minimum cost.
#include <bits/stdc++.h>
using namespace std;

int n;
int cost[10][10], rowMin[11];
long long best = LLONG_MAX;
bool used[10];

void dfs(int worker, long long cur) {
    // prune: even the cheapest remaining choices cannot beat the best found
    if (cur + rowMin[worker] >= best) return;
    if (worker == n) {
        best = cur;
        return;
    }
    for (int j = 0; j < n; j++) {
        if (used[j]) continue;
        used[j] = true;
        dfs(worker + 1, cur + cost[worker][j]);
        used[j] = false;
    }
}

int main() {
    scanf("%d", &n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) scanf("%d", &cost[i][j]);
    // rowMin[i] = sum over workers >= i of their cheapest job
    rowMin[n] = 0;
    for (int i = n - 1; i >= 0; i--) rowMin[i] = rowMin[i + 1] + *min_element(cost[i], cost[i] + n);
    dfs(0, 0);
    printf("%lld\n", best);
    return 0;
}
