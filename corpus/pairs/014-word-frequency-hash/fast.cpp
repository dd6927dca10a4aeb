// Read words until EOF; print the number of distinct words and the most frequent one (ties: smallest).
#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    unordered_map<string, int> freq;  // hash table: O(1) expected per word
    freq.reserve(1 << 15);
    string w;
    while (cin >> w) freq[w]++;
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
