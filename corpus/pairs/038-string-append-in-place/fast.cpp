// Read a text line; double every vowel, drop digits, upper-case letters after a space; print the transformed text and its length.
#include <bits/stdc++.h>
using namespace std;

bool isVowel(char c) {
    c = tolower(c);
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

int main() {
    string text;
    getline(cin, text);
    string res;
    res.reserve(text.size() * 2);
    bool afterSpace = true;
    for (char c : text) {
        if (isdigit(c)) continue;
        if (afterSpace && isalpha(c)) c = toupper(c);
        afterSpace = (c == ' ');
        res += c;  // append in place, no temporary string
        if (isVowel(c)) res += c;
    }
    cout << res << "\n" << res.size() << "\n";
    return 0;
}
