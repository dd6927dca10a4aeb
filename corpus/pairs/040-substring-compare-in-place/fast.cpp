// Given a DNA text and q patterns, print the number of (possibly overlapping) occurrences of each pattern.
#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    string text;
    int q;
    cin >> text >> q;
    for (int k = 0; k < q; k++) {
        string pat;
        cin >> pat;
        size_t m = pat.size();
        int cnt = 0;
        for (size_t i = 0; i + m <= text.size(); i++) {
            // compare in place instead of materialising text.substr(i, m)
            if (text.compare(i, m, pat) == 0) cnt++;
        }
        cout << cnt << "\n";
    }
    return 0;
}
