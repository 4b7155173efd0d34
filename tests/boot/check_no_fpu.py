#!/usr/bin/env python3
"""Fails if the kernel contains x87, MMX or SSE/AVX instructions. The kernel is compiled with
-mno-sse and friends but x87 stays enabled for the compiler (libstdc++'s headers need long
double), so this disassembly check is what keeps floating point out of the kernel.
FXSAVE/FXRSTOR/XSAVE*/XRSTOR* are allowed: they save user FPU state without using it. So is
the scheduler self-test's sse_round (in .text.sse_selftest), which fills the SSE registers on
purpose to check they survive preemption."""
import re
import subprocess
import sys

ALLOWED = re.compile(r"^(fxsave|fxrstor|xsave|xsaveopt|xsavec|xsaves|xrstor|xrstors|fninit|fnclex|fwait|ldmxcsr|stmxcsr)(64)?q?$")
FPU_REGISTER = re.compile(r"%(xmm|ymm|zmm|mm|st)\(?[0-9]*")
X87_MNEMONIC = re.compile(r"^f[a-z0-9]+$")


def main():
    elf = sys.argv[1]
    out = subprocess.run(["llvm-objdump-22", "-d", "--no-show-raw-insn", elf],
                         check=True, capture_output=True, text=True).stdout
    bad = []
    function = ""
    for line in out.splitlines():
        header = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if header:
            function = header.group(1)
            continue
        if "sse_round" in function:
            continue
        parts = line.split("\t")
        if len(parts) < 2 or not re.match(r"^\s*[0-9a-f]+:$", parts[0]):
            continue
        mnemonic = parts[1].split()[0] if parts[1].split() else ""
        operands = parts[2] if len(parts) > 2 else ""
        if ALLOWED.match(mnemonic):
            continue
        if X87_MNEMONIC.match(mnemonic) or FPU_REGISTER.search(operands):
            bad.append(line.strip())
    for line in bad[:20]:
        print("floating-point/SIMD instruction:", line)
    print(f"{len(bad)} x87/SSE instructions in {elf}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
