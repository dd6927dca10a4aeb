// Assign n workers to n jobs (n <= 10) minimising total cost; print the minimum cost.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    cin >> n;
    vector<vector<int>> cost(n, vector<int>(n));
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) cin >> cost[i][j];
    vector<int> perm(n);
    for (int i = 0; i < n; i++) perm[i] = i;
    long long best = LLONG_MAX;
    do {
        long long total = 0;
        for (int i = 0; i < n; i++) total += cost[i][perm[i]];
        best = min(best, total);
    } while (next_permutation(perm.begin(), perm.end()));
    cout << best << endl;
    return 0;
}
