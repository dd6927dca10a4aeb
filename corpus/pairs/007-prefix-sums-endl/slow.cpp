// Print the running balance after each of n transactions.
#include <iostream>
#include <vector>
using namespace std;

typedef long long ll;

vector<ll> readAmounts() {
    int n;
    cin >> n;
    vector<ll> amount(n);
    for (int i = 0; i < n; i++) cin >> amount[i];
    return amount;
}

int main() {
    vector<ll> amount = readAmounts();
    ll balance = 0;
    for (size_t i = 0; i < amount.size(); i++) {
        balance += amount[i];
        cout << balance << endl;
    }
    return 0;
}
