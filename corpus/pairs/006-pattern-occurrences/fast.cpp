// Print the number of (possibly overlapping) occurrences of pattern P in text T, then the first position (or -1).
#include <bits/stdc++.h>
using namespace std;

int main() {
    string T, P;
    cin >> T >> P;
    int n = T.size(), m = P.size();
    // Knuth-Morris-Pratt failure function
    vector<int> fail(m, 0);
    for (int i = 1, k = 0; i < m; i++) {
        while (k > 0 && P[i] != P[k]) k = fail[k - 1];
        if (P[i] == P[k]) k++;
        fail[i] = k;
    }
    long long cnt = 0;
    int first = -1;
    for (int i = 0, k = 0; i < n; i++) {
        while (k > 0 && T[i] != P[k]) k = fail[k - 1];
        if (T[i] == P[k]) k++;
        if (k == m) {
            cnt++;
            if (first < 0) first = i - m + 1;
            k = fail[k - 1];
        }
    }
    cout << cnt << " " << first << endl;
}
