// Ways to climb from step 0 to step n with jumps of 1, 2 or 3, never landing on a broken step (mod 1e9+7).
#include <bits/stdc++.h>
using namespace std;
const int MOD = 1000000007;

int n, m;
vector<bool> broken;

int ways(int s) {
    if (s == n) return 1;
    if (s > n || broken[s]) return 0;
    return ((long long)ways(s + 1) + ways(s + 2) + ways(s + 3)) % MOD;
}

int main() {
    cin >> n >> m;
    broken.assign(n + 1, false);
    for (int i = 0; i < m; i++) {
        int b;
        cin >> b;
        broken[b] = true;
    }
    cout << ways(0) << endl;
    return 0;
}
