// Exits with 0 and prints nothing: the smallest complete program (test=lifecycle starts it a
// thousand times).
int main(int, char**) { return 0; }
