// Print the number of (possibly overlapping) occurrences of pattern P in text T, then the first position (or -1).
#include <bits/stdc++.h>
using namespace std;

int main() {
    string T, P;
    cin >> T >> P;
    int n = T.size(), m = P.size();
    long long cnt = 0;
    int first = -1;
    for (int i = 0; i + m <= n; i++) {
        bool ok = true;
        for (int j = 0; j < m; j++) {
            if (T[i + j] != P[j]) { ok = false; break; }
        }
        if (ok) {
            cnt++;
            if (first < 0) first = i;
        }
    }
    cout << cnt << " " << first << endl;
}
