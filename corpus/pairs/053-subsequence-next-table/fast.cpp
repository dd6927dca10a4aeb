// Text s and q query words: for each word print YES if it is a subsequence of s, else NO.
#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    string s;
    int q;
    cin >> s >> q;
    int n = s.size();
    // nxt[i][c] = smallest j >= i with s[j] == c (n if none); built once from the right
    vector<array<int, 26>> nxt(n + 1);
    nxt[n].fill(n);
    for (int i = n - 1; i >= 0; i--) {
        nxt[i] = nxt[i + 1];
        nxt[i][s[i] - 'a'] = i;
    }
    int yes = 0;
    while (q--) {
        string t;
        cin >> t;
        int pos = 0;
        bool ok = true;
        for (char c : t) {
            int j = nxt[pos][c - 'a'];
            if (j == n) {
                ok = false;
                break;
            }
            pos = j + 1;
        }
        yes += ok;
        cout << (ok ? "YES" : "NO") << "\n";
    }
    cout << yes << "\n";
    return 0;
}
