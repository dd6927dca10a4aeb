// Bank Ledger
//
// A bank keeps N accounts numbered 1..N with given starting balances.  It then
// processes Q operations, one per line:
//   D a x     deposit x into account a; print the new balance of a
//   W a x     withdraw x from account a; if the balance is smaller than x the
//             operation is rejected and "REJECTED" is printed, otherwise print
//             the new balance
//   T a b x   transfer x from a to b (same rejection rule, and a transfer to
//             the same account is rejected too); print "OK a_bal b_bal"
//   B a       print the balance of account a
//   H a k     print a mini statement of account a: a header line
//             "HISTORY a m" followed by the last m = min(k, #entries) balance
//             changes of a, newest first, one per line ("+x" or "-x")
// After all operations print a summary: the number of rejected operations, the
// total money in the bank, and the three accounts with the largest balance
// (ties broken by the smaller account number) together with the number of
// successful operations that touched each of them.
//
// Input:  N Q, then N balances, then Q operation lines.
// Output: one line per operation, then the summary lines.
#include <iostream>
#include <vector>
#include <string>
#include <algorithm>
using namespace std;

struct Account {
    long long balance;
    int touched;
    vector<long long> history;
};

struct Bank {
    vector<Account> acc;
    long long rejected = 0;

    explicit Bank(int n) : acc(n + 1, Account{0, 0, {}}) {}

    bool withdraw(int a, long long x) {
        if (acc[a].balance < x) {
            rejected++;
            return false;
        }
        acc[a].balance -= x;
        acc[a].touched++;
        acc[a].history.push_back(-x);
        return true;
    }

    void deposit(int a, long long x) {
        acc[a].balance += x;
        acc[a].touched++;
        acc[a].history.push_back(x);
    }

    bool transfer(int a, int b, long long x) {
        if (a == b || acc[a].balance < x) {
            rejected++;
            return false;
        }
        acc[a].balance -= x;
        acc[b].balance += x;
        acc[a].touched++;
        acc[b].touched++;
        acc[a].history.push_back(-x);
        acc[b].history.push_back(x);
        return true;
    }
};

int main() {
    int n, q;
    cin >> n >> q;
    Bank bank(n);
    for (int i = 1; i <= n; i++) {
        cin >> bank.acc[i].balance;
    }
    for (int i = 0; i < q; i++) {
        string op;
        cin >> op;
        if (op == "D") {
            int a;
            long long x;
            cin >> a >> x;
            bank.deposit(a, x);
            cout << bank.acc[a].balance << endl;
        } else if (op == "W") {
            int a;
            long long x;
            cin >> a >> x;
            if (bank.withdraw(a, x)) {
                cout << bank.acc[a].balance << endl;
            } else {
                cout << "REJECTED" << endl;
            }
        } else if (op == "T") {
            int a, b;
            long long x;
            cin >> a >> b >> x;
            if (bank.transfer(a, b, x)) {
                cout << "OK " << bank.acc[a].balance << " " << bank.acc[b].balance << endl;
            } else {
                cout << "REJECTED" << endl;
            }
        } else if (op == "H") {
            int a, k;
            cin >> a >> k;
            const vector<long long>& h = bank.acc[a].history;
            int m = min<int>(k, h.size());
            cout << "HISTORY " << a << " " << m << endl;
            for (int j = 0; j < m; j++) {
                long long v = h[h.size() - 1 - j];
                if (v >= 0) {
                    cout << "+" << v << endl;
                } else {
                    cout << "-" << -v << endl;
                }
            }
        } else {
            int a;
            cin >> a;
            cout << bank.acc[a].balance << endl;
        }
    }

    long long total = 0;
    vector<int> order;
    for (int i = 1; i <= n; i++) {
        total += bank.acc[i].balance;
        order.push_back(i);
    }
    sort(order.begin(), order.end(), [&](int x, int y) {
        if (bank.acc[x].balance != bank.acc[y].balance) return bank.acc[x].balance > bank.acc[y].balance;
        return x < y;
    });
    cout << "rejected " << bank.rejected << endl;
    cout << "total " << total << endl;
    for (int i = 0; i < 3 && i < n; i++) {
        int id = order[i];
        cout << "top " << id << " " << bank.acc[id].balance << " " << bank.acc[id].touched << endl;
    }
    return 0;
}
