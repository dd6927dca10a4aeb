// Count monotone (right/down) paths from the top-left to the bottom-right cell avoiding '#', mod 1e9+7.
#include <bits/stdc++.h>
using namespace std;

const long long MOD = 1e9 + 7;
int H, W;
vector<string> grid;

long long paths(int r, int c) {
    if (r >= H || c >= W || grid[r][c] == '#') return 0;
    if (r == H - 1 && c == W - 1) return 1;
    return (paths(r + 1, c) + paths(r, c + 1)) % MOD;
}

int main() {
    cin >> H >> W;
    grid.resize(H);
    for (auto& row : grid) cin >> row;
    cout << paths(0, 0) << "\n";
}
