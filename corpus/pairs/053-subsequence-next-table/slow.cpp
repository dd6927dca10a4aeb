// Text s and q query words: for each word print YES if it is a subsequence of s, else NO.
#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    string s;
    int q;
    cin >> s >> q;
    int yes = 0;
    while (q--) {
        string t;
        cin >> t;
        size_t k = 0;
        for (size_t i = 0; i < s.size() && k < t.size(); i++)
            if (s[i] == t[k]) k++;
        bool ok = (k == t.size());
        yes += ok;
        cout << (ok ? "YES" : "NO") << "\n";
    }
    cout << yes << "\n";
    return 0;
}
