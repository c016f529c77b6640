#!/usr/bin/env python3
"""Self-test of the reference: run sla_reference.py on every examples/<case>/ and
compare its stdout byte for byte with examples/<case>/expected_sla_monthly.csv.

Each case directory holds sla.toml, its input files, `args` (the month, optionally
followed by `--as-of INSTANT`) and the hand-derived expected_sla_monthly.csv.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "sla_reference.py")
EXAMPLES = os.path.join(HERE, "examples")


def main():
    passed = failed = 0
    for name in sorted(os.listdir(EXAMPLES)):
        case = os.path.join(EXAMPLES, name)
        if not os.path.isdir(case):
            continue
        with open(os.path.join(case, "args")) as f:
            args = f.read().split()
        with open(os.path.join(case, "expected_sla_monthly.csv"), "rb") as f:
            expected = f.read()
        proc = subprocess.run([sys.executable, SCRIPT, os.path.join(case, "sla.toml"), *args],
                              capture_output=True)
        if proc.returncode == 0 and proc.stdout == expected:
            passed += 1
            print(f"ok    {name}")
        else:
            failed += 1
            print(f"FAIL  {name} (exit {proc.returncode})")
            print("  expected:\n    " + expected.decode().replace("\n", "\n    "))
            print("  got:\n    " + proc.stdout.decode().replace("\n", "\n    "))
            if proc.stderr:
                print("  stderr: " + proc.stderr.decode())
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
