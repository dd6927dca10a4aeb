// Print the n x m table whose cell (i, j) holds (i * j) % k, one row per line.
#include <bits/stdc++.h>
using namespace std;

int n, m, k;

void printRow(int i) {
    for (int j = 1; j <= m; j++) {
        cout << (long long)i * j % k;
        if (j < m) cout << " ";
    }
    cout << "\n";
}

int main() {
    cin >> n >> m >> k;
    for (int i = 1; i <= n; i++) {
        printRow(i);
    }
    return 0;
}
