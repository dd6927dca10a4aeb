// Read n words and print each one reversed on its own line.
#include <bits/stdc++.h>
using namespace std;

string reversedWord(const string& w) {
    string r = w;
    reverse(r.begin(), r.end());
    return r;
}

int main() {
    int n;
    cin >> n;
    string w;
    for (int i = 0; i < n; ++i) {
        cin >> w;
        cout << reversedWord(w) << endl;
    }
    return 0;
}
