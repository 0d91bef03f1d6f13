"""Build the verifying test disk: santest.asm's program in sectors 0-7,
then from LBA 8 on every dword holds its own dword index in the image."""

import os
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
PROG_SECTORS = 8


def build(path, size_mib, defines=()):
    prog = path + ".prog"
    subprocess.run(["nasm", "-f", "bin"] + ["-D" + d for d in defines] + ["-o", prog,
                    os.path.join(HERE, "santest.asm")], check=True)
    with open(prog, "rb") as f:
        code = f.read()
    os.unlink(prog)
    assert len(code) == PROG_SECTORS * 512
    size = size_mib << 20
    with open(path, "wb") as f:
        f.write(code)
        first = PROG_SECTORS * 128
        chunk = 1 << 18           # dwords per write
        total = size // 4
        i = first
        while i < total:
            n = min(chunk, total - i)
            f.write(struct.pack("<%dI" % n, *range(i, i + n)))
            i += n
    return path
