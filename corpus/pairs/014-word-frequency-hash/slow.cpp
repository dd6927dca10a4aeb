// Read words until EOF; print the number of distinct words and the most frequent one (ties: smallest).
#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    vector<pair<string, int>> freq;  // (word, count), unsorted
    string w;
    while (cin >> w) {
        bool found = false;
        for (auto& e : freq) {
            if (e.first == w) { e.second++; found = true; break; }
        }
        if (!found) freq.push_back({w, 1});
    }
    string best;
    int bestCnt = 0;
    for (auto& e : freq) {
        if (e.second > bestCnt || (e.second == bestCnt && e.first < best)) {
            best = e.first;
            bestCnt = e.second;
        }
    }
    cout << freq.size() << "\n" << best << " " << bestCnt << "\n";
}
