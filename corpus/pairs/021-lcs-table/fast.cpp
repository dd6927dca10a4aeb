// Length of the longest common subsequence of two strings.
#include <bits/stdc++.h>
using namespace std;

int lcsLength(const string& s, const string& t) {
    int n = s.size(), m = t.size();
    // bottom-up table with two rolling rows instead of a map keyed by (i, j)
    vector<int> prev(m + 1, 0), cur(m + 1, 0);
    for (int i = 1; i <= n; i++) {
        for (int j = 1; j <= m; j++) {
            if (s[i - 1] == t[j - 1]) cur[j] = prev[j - 1] + 1;
            else cur[j] = max(prev[j], cur[j - 1]);
        }
        swap(prev, cur);
    }
    return prev[m];
}

int main() {
    string s, t;
    cin >> s >> t;
    cout << lcsLength(s, t) << endl;
}
