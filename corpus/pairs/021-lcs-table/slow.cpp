// Length of the longest common subsequence of two strings.
#include <bits/stdc++.h>
using namespace std;

string s, t;
map<pair<int, int>, int> memo;

int lcs(int i, int j) {
    if (i == (int)s.size() || j == (int)t.size()) return 0;
    auto key = make_pair(i, j);
    auto it = memo.find(key);
    if (it != memo.end()) return it->second;
    int res;
    if (s[i] == t[j]) res = 1 + lcs(i + 1, j + 1);
    else res = max(lcs(i + 1, j), lcs(i, j + 1));
    memo[key] = res;
    return res;
}

int main() {
    cin >> s >> t;
    cout << lcs(0, 0) << endl;
}
