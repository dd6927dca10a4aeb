// n coins (total value <= 300000): print how many distinct positive sums can be paid exactly, and the reachable sum closest to half the total.
#include <bits/stdc++.h>
using namespace std;

bool can[300001];

int main() {
    int n;
    scanf("%d", &n);
    vector<int> c(n);
    int total = 0;
    for (int i = 0; i < n; i++) {
        scanf("%d", &c[i]);
        total += c[i];
    }
    can[0] = true;
    for (int i = 0; i < n; i++)
        for (int s = total; s >= c[i]; s--)
            if (can[s - c[i]]) can[s] = true;
    int cnt = 0, half = -1;
    for (int s = 1; s <= total; s++)
        if (can[s]) cnt++;
    for (int s = total / 2; s >= 0; s--)
        if (can[s]) {
            half = s;
            break;
        }
    printf("%d %d\n", cnt, half);
    return 0;
}
