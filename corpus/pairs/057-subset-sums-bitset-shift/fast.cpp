// n coins (total value <= 300000): print how many distinct positive sums can be paid exactly, and the reachable sum closest to half the total.
#include <bits/stdc++.h>
using namespace std;

bitset<300001> can;

int main() {
    int n;
    scanf("%d", &n);
    vector<int> c(n);
    int total = 0;
    for (int i = 0; i < n; i++) {
        scanf("%d", &c[i]);
        total += c[i];
    }
    can[0] = 1;
    // shifting the whole set of reachable sums processes 64 sums per word operation
    for (int i = 0; i < n; i++) can |= can << c[i];
    int cnt = (int)can.count() - 1, half = -1;
    for (int s = total / 2; s >= 0; s--)
        if (can[s]) {
            half = s;
            break;
        }
    printf("%d %d\n", cnt, half);
    return 0;
}
