#!/usr/bin/env python3
"""Run the QEMU lab tests: every function named test_* in tests/qemu/test_*.py.

    python3 tests/qemu/run.py [SUBSTRING...]

Prints one line per test and, last, "N passed, N failed".  Needs root (for
network namespaces and taps) and the images in bin/.
"""

import importlib.util
import glob
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def collect():
    tests = []
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for attr in sorted(vars(mod)):
            fn = getattr(mod, attr)
            if attr.startswith("test_") and callable(fn):
                tests.append(("%s.%s" % (name, attr), fn))
    return tests


def main():
    if os.geteuid() != 0:
        print("the QEMU lab needs root (network namespaces, taps)")
        return 2
    filters = sys.argv[1:]
    passed = failed = 0
    start = time.time()
    for name, fn in collect():
        if filters and not any(f in name for f in filters):
            continue
        t0 = time.time()
        try:
            fn()
        except Exception as e:
            failed += 1
            print("FAIL %s (%.1fs)" % (name, time.time() - t0))
            if not isinstance(e, AssertionError) and e.__class__.__name__ != "TestFailure":
                traceback.print_exc()
            print("     " + str(e).replace("\n", "\n     "))
        else:
            passed += 1
            print("ok   %s (%.1fs)" % (name, time.time() - t0))
        sys.stdout.flush()
    print("QEMU tests took %.0fs" % (time.time() - start))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
