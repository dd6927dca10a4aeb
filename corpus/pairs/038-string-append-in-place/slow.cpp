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
    string res = "";
    bool afterSpace = true;
    for (int i = 0; i < (int)text.size(); i++) {
        char c = text[i];
        if (isdigit(c)) continue;
        if (afterSpace && isalpha(c)) c = toupper(c);
        afterSpace = (c == ' ');
        res = res + c;
        if (isVowel(c)) res = res + c;
    }
    cout << res << "\n" << res.size() << "\n";
    return 0;
}
