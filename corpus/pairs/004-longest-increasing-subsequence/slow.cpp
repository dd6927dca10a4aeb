// Length of the longest strictly increasing subsequence.
#include <iostream>
#include <vector>
#include <algorithm>
using namespace std;

int main() {
    int N;
    cin >> N;
    vector<int> A(N);
    for (auto& x : A) cin >> x;

    vector<int> dp(N, 1);  // dp[i] = LIS ending at i
    int ans = 0;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < i; j++) {
            if (A[j] < A[i] && dp[j] + 1 > dp[i]) dp[i] = dp[j] + 1;
        }
        ans = max(ans, dp[i]);
    }
    cout << ans << endl;
}
