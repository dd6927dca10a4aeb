// For every window of k consecutive temperatures print the maximum.
#include <bits/stdc++.h>
using namespace std;

int main() {
    ios_base::sync_with_stdio(false);
    cin.tie(NULL);
    int n, k;
    cin >> n >> k;
    vector<int> t(n);
    for (int i = 0; i < n; i++) cin >> t[i];

    string out;
    for (int s = 0; s + k <= n; s++) {
        int mx = t[s];
        for (int i = s + 1; i < s + k; i++)
            if (t[i] > mx) mx = t[i];
        out += to_string(mx);
        out += (s + k == n) ? '\n' : ' ';
    }
    cout << out;
    return 0;
}
