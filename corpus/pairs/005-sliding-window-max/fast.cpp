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

    // monotonic deque of indices whose values are decreasing; front is the window max
    deque<int> dq;
    string out;
    for (int i = 0; i < n; i++) {
        while (!dq.empty() && t[dq.back()] <= t[i]) dq.pop_back();
        dq.push_back(i);
        if (dq.front() <= i - k) dq.pop_front();
        if (i >= k - 1) {
            out += to_string(t[dq.front()]);
            out += (i == n - 1) ? '\n' : ' ';
        }
    }
    cout << out;
    return 0;
}
