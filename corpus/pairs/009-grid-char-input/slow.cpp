// For every row of an H x W grid of '#' and '.', print the length of the longest run of '#'.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int H, W;
    cin >> H >> W;
    vector<vector<char>> g(H, vector<char>(W));
    for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++)
            cin >> g[i][j];  // one formatted read per character

    for (int i = 0; i < H; i++) {
        int best = 0, run = 0;
        for (int j = 0; j < W; j++) {
            run = (g[i][j] == '#') ? run + 1 : 0;
            best = max(best, run);
        }
        cout << best << endl;
    }
    return 0;
}
