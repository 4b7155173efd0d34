#!/usr/bin/env python3
"""The Wasm engine's benchmark workloads (bench/wasm) run inside MinimalOS, typed into the
shell as `wasm --tier=interp|jit --time /bench/NAME.wasm`, on both tiers, each printing the
checksum its native build prints on the host (run here first) and the time its _start took.

Usage: wasm_workloads_test.py --native-dir DIR -- boot_test.py arguments
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = ["fib", "sieve", "matmul", "nbody", "mandel", "crc", "mixed"]
PROMPT = r"^\$ $"


def main():
    split = sys.argv.index("--")
    p = argparse.ArgumentParser()
    p.add_argument("--native-dir", required=True)
    args = p.parse_args(sys.argv[1:split])
    steps = []
    for name in WORKLOADS:
        native = subprocess.run([os.path.join(args.native_dir, f"{name}.native")],
                                capture_output=True, text=True, check=True).stdout
        checksum = re.search(r"^checksum (\d+)$", native, re.M)
        if not checksum:
            print(f"FAIL: {name}.native printed no checksum: {native!r}")
            return 1
        print(f"{name}: native checksum {checksum.group(1)}")
        for tier in ("interp", "jit"):
            steps += ["--type-after", PROMPT, f"wasm --tier={tier} --time /bench/{name}.wasm\\r",
                      "--expect", f"^checksum {checksum.group(1)}$",
                      "--expect", rf"^wasm: /bench/{name}.wasm: ran in [0-9]+ us"]
    command = [sys.executable, os.path.join(HERE, "boot_test.py"), *sys.argv[split + 1:], *steps]
    return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main())
