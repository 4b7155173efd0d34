#!/usr/bin/env python3
"""Fails if the shipped kernel contains self-test code. Self-test code is what kernel/test/
defines: everything in namespace kernel::test, and the expected-fault hooks only the tests arm
(kernel/test/expected_fault.cpp). The test kernel must contain those symbols, so a renamed
namespace cannot make this check pass by finding nothing anywhere."""
import argparse
import re
import subprocess
import sys

SELF_TEST = re.compile(r"\bkernel::test::|\bkernel::x86_64::(expect_fault|finish_expected_fault)\(")
# One symbol of each kind that the test kernel must have.
REQUIRED_IN_TEST_KERNEL = ["kernel::test::sched_suite(", "kernel::x86_64::expect_fault("]


def defined_symbols(nm, elf):
    out = subprocess.run([nm, "--defined-only", "--demangle", "--format=just-symbols", elf],
                         check=True, capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--nm", required=True)
    p.add_argument("--shipped", required=True)
    p.add_argument("--test", required=True)
    args = p.parse_args()

    test_symbols = defined_symbols(args.nm, args.test)
    missing = [s for s in REQUIRED_IN_TEST_KERNEL if not any(t.startswith(s) for t in test_symbols)]
    if missing:
        print(f"FAIL: the test kernel {args.test} lacks {missing}: what counts as self-test code "
              "has moved; update this check")
        return 1
    test_count = sum(1 for s in test_symbols if SELF_TEST.search(s))

    shipped = [s for s in defined_symbols(args.nm, args.shipped) if SELF_TEST.search(s)]
    if shipped:
        print(f"FAIL: the shipped kernel {args.shipped} contains {len(shipped)} self-test symbols:")
        for s in shipped[:40]:
            print(f"  {s}")
        return 1
    print(f"PASS: {test_count} self-test symbols in the test kernel, none in the shipped kernel")
    return 0


if __name__ == "__main__":
    sys.exit(main())
