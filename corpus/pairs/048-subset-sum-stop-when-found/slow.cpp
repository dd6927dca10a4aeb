// n positive weights (n <= 28) and a target T: print YES if some subset sums exactly to T, else NO.
#include <bits/stdc++.h>
using namespace std;

int n;
long long T;
long long a[30];
bool found = false;

void go(int i, long long sum) {
    if (i == n) {
        if (sum == T) found = true;
        return;
    }
    go(i + 1, sum + a[i]);
    go(i + 1, sum);
}

int main() {
    cin >> n >> T;
    for (int i = 0; i < n; i++) cin >> a[i];
    go(0, 0);
    cout << (found ? "YES" : "NO") << endl;
    return 0;
}
