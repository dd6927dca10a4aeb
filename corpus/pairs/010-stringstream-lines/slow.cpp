// Each line after the first holds the scores of one student; print every student's total,
// then the best student's line number and total.
#include <iostream>
#include <sstream>
#include <string>
using namespace std;

int main() {
    string line;
    getline(cin, line);
    int n = stoi(line);
    long long bestTotal = -1;
    int bestIdx = -1;
    for (int i = 1; i <= n; i++) {
        getline(cin, line);
        stringstream ss(line);
        long long total = 0, x;
        while (ss >> x) total += x;
        cout << total << endl;
        if (total > bestTotal) {
            bestTotal = total;
            bestIdx = i;
        }
    }
    cout << bestIdx << " " << bestTotal << endl;
    return 0;
}
