// For each of n points print its distance from the origin with 6 decimals.
#include <iostream>
#include <iomanip>
#include <cmath>
using namespace std;

struct Point {
    double x, y;
};

double dist(const Point& p) { return sqrt(p.x * p.x + p.y * p.y); }

int main() {
    int n;
    cin >> n;
    for (int i = 0; i < n; i++) {
        Point p;
        cin >> p.x >> p.y;
        cout << fixed << setprecision(6) << dist(p) << endl;
    }
    return 0;
}
