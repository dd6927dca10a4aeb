// n seeded runners on a circular track of length L; after each of T ticks print how many are in the first half of the track.
#include <bits/stdc++.h>
using namespace std;

struct Runner {
    long long pos;
    long long speed;
    int id;
    int team;
    double rating;
    char nick[24];
    long long laps;
};

int main() {
    int n, T;
    long long L;
    unsigned long long seed;
    cin >> n >> T >> L >> seed;
    vector<Runner> rs(n);
    for (int i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        rs[i].pos = (seed >> 20) % L;
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        rs[i].speed = (seed >> 20) % (L / 3) + 1;
        rs[i].id = i;
        rs[i].team = i % 7;
        rs[i].rating = 1500.0;
        snprintf(rs[i].nick, sizeof(rs[i].nick), "r%d", i);
        rs[i].laps = 0;
    }
    long long half = L / 2;
    for (int t = 0; t < T; t++) {
        for (int i = 0; i < n; i++) {
            rs[i].pos += rs[i].speed;
            if (rs[i].pos >= L) {
                rs[i].pos -= L;
                rs[i].laps++;
            }
        }
        int cnt = 0;
        for (int i = 0; i < n; i++)
            if (rs[i].pos < half) cnt++;
        cout << cnt << "\n";
    }
    long long totalLaps = 0;
    for (int i = 0; i < n; i++) totalLaps += rs[i].laps;
    cout << totalLaps << "\n";
    return 0;
}
