// Keeps the host library non-empty while all of lib/ is header-only.
