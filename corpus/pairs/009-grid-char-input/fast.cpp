// For every row of an H x W grid of '#' and '.', print the length of the longest run of '#'.
#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int H, W;
    cin >> H >> W;
    string row;
    for (int i = 0; i < H; i++) {
        cin >> row;  // one read per row
        int best = 0, run = 0;
        for (char c : row) {
            run = (c == '#') ? run + 1 : 0;
            best = max(best, run);
        }
        cout << best << '\n';  // no flush per line
    }
    return 0;
}
