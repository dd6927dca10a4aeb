// Cards 1..n top to bottom: repeatedly move k-1 top cards to the bottom, then discard the top one.
// Print the sum of (discard index * card) modulo 1e9+7 and the last discarded card.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, k;
    cin >> n >> k;
    vector<int> pile;
    for (int i = 1; i <= n; i++) pile.push_back(i);
    const long long MOD = 1000000007LL;
    long long h = 0;
    int last = 0;
    for (long long step = 1; !pile.empty(); step++) {
        for (int s = 0; s < k - 1; s++) {
            int top = pile.front();
            pile.erase(pile.begin());  // O(size) shift
            pile.push_back(top);
        }
        last = pile.front();
        pile.erase(pile.begin());
        h = (h + step * last) % MOD;
    }
    cout << h << " " << last << endl;
}
