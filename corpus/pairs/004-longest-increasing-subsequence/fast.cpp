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

    // tails[k] = smallest tail of an increasing subsequence of length k+1
    vector<int> tails;
    for (int x : A) {
        auto it = lower_bound(tails.begin(), tails.end(), x);
        if (it == tails.end()) tails.push_back(x);
        else *it = x;
    }
    cout << tails.size() << endl;
}
