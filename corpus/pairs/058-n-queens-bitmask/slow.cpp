// For each given board size n (n <= 14) print the number of ways to place n non-attacking queens.
#include <bits/stdc++.h>
using namespace std;

int n;
vector<bool> colUsed, diag1, diag2;

long long place(int row) {
    if (row == n) return 1;
    long long ways = 0;
    for (int c = 0; c < n; c++) {
        if (colUsed[c] || diag1[row + c] || diag2[row - c + n - 1]) continue;
        colUsed[c] = diag1[row + c] = diag2[row - c + n - 1] = true;
        ways += place(row + 1);
        colUsed[c] = diag1[row + c] = diag2[row - c + n - 1] = false;
    }
    return ways;
}

int main() {
    int t;
    cin >> t;
    while (t--) {
        cin >> n;
        colUsed.assign(n, false);
        diag1.assign(2 * n - 1, false);
        diag2.assign(2 * n - 1, false);
        cout << n << " " << place(0) << "\n";
    }
    return 0;
}
