// n seeded runners on a circular track of length L; after each of T ticks print how many are in the first half of the track.
#include <bits/stdc++.h>
using namespace std;

int main() {
    int n, T;
    long long L;
    unsigned long long seed;
    scanf("%d %d %lld %llu", &n, &T, &L, &seed);
    // structure of arrays: the hot loop only touches pos, speed and laps
    vector<long long> pos(n), speed(n);
    vector<int> laps(n, 0);
    for (int i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        pos[i] = (seed >> 20) % L;
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        speed[i] = (seed >> 20) % (L / 3) + 1;
    }
    long long half = L / 2;
    string out;
    for (int t = 0; t < T; t++) {
        int cnt = 0;
        for (int i = 0; i < n; i++) {
            long long p = pos[i] + speed[i];
            if (p >= L) {
                p -= L;
                laps[i]++;
            }
            pos[i] = p;
            cnt += p < half;
        }
        out += to_string(cnt);
        out += '\n';
    }
    long long totalLaps = 0;
    for (int i = 0; i < n; i++) totalLaps += laps[i];
    out += to_string(totalLaps);
    out += '\n';
    fputs(out.c_str(), stdout);
    return 0;
}
