// For each even n (4 <= n <= 2e6) print the Goldbach pair p + q = n with the smallest prime p.
#include <bits/stdc++.h>
using namespace std;

int main() {
    const int MAXV = 2000000;
    vector<bool> composite(MAXV + 1, false);
    composite[0] = composite[1] = true;
    for (int i = 2; (long long)i * i <= MAXV; i++)
        if (!composite[i])
            for (int j = i * i; j <= MAXV; j += i) composite[j] = true;
    int t;
    scanf("%d", &t);
    while (t--) {
        int n;
        scanf("%d", &n);
        int bestP = -1;
        for (int p = n / 2; p >= 2; p--) {
            if (!composite[p] && !composite[n - p]) bestP = p;
        }
        printf("%d = %d + %d\n", n, bestP, n - bestP);
    }
    return 0;
}
