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
        int m = pat.size(), cnt = 0;
        for (int i = 0; i + m <= (int)text.size(); i++) {
            if (text.substr(i, m) == pat) cnt++;
        }
        cout << cnt << "\n";
    }
    return 0;
}
