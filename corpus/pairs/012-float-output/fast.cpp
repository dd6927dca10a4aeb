// For each of n points print its distance from the origin with 6 decimals.
#include <cstdio>
#include <cmath>

struct Point {
    double x, y;
};

static double dist(const Point& p) { return sqrt(p.x * p.x + p.y * p.y); }

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);  // fully buffered, flushed at exit
    for (int i = 0; i < n; i++) {
        Point p;
        if (scanf("%lf %lf", &p.x, &p.y) != 2) break;
        printf("%.6f\n", dist(p));
    }
    return 0;
}
