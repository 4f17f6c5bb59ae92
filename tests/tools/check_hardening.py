#!/usr/bin/env python3
"""check_hardening.py - checks that built ELF files carry the hardening the
build asks for (issue 13; CMakeLists.txt "Hardening"; docs/HACKING.md).

    check_hardening.py [--fortify on|off] [--self-test CC] ELF...

Reads each file with binutils' readelf (never with the code under test) and
checks, printing one line per check:
  pie        the executable is ELF type DYN with DF_1_PIE (a shared object is
             DYN by nature); so ASLR moves its code
  relro      a GNU_RELRO segment: relocations are made read-only after start
  bind_now   DT_FLAGS BIND_NOW or DT_FLAGS_1 NOW: every symbol resolved at
             start, so with relro the whole GOT is read-only (full RELRO)
  nx_stack   a GNU_STACK segment without the execute bit
  no_textrel no DT_TEXTREL (code pages are never written)
  stack_protector  __stack_chk_fail is referenced (-fstack-protector-strong)
  fortify    with --fortify on: at least one glibc __*_chk function is
             referenced (-D_FORTIFY_SOURCE); with off, not checked (Debug and
             sanitizer builds leave fortify off on purpose)

--self-test CC first compiles a small program twice with CC, once with the
project's flags and once with every protection turned off, and requires the
checks to pass on the first and each to fail on the second, so a check that
can never fail is caught.

Exit 0 when every check passes, 1 when one fails, 2 on usage or tool errors.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

CHECKS = ("pie", "relro", "bind_now", "nx_stack", "no_textrel", "stack_protector", "fortify")


def readelf(args, path):
    try:
        return subprocess.run(["readelf", "-W"] + args + [path], check=True,
                              capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"check_hardening: readelf {' '.join(args)} {path}: {e}", file=sys.stderr)
        sys.exit(2)


def inspect(path, fortify):
    """Returns {check: (ok, detail)} for one ELF file."""
    header = readelf(["-h"], path)
    segments = readelf(["-l"], path)
    dynamic = readelf(["-d"], path)
    symbols = readelf(["--dyn-syms"], path)
    m = re.search(r"^\s*Type:\s+(\S+)", header, re.M)
    elf_type = m.group(1) if m else "?"
    has_interp = re.search(r"^\s*INTERP\s", segments, re.M) is not None
    flags = " ".join(re.findall(r"\((?:FLAGS|FLAGS_1)\)\s+(?:Flags:\s*)?(.*)$", dynamic, re.M))
    stack = re.search(r"^\s*GNU_STACK\s.*?\s(R?W?E?)\s+0x[0-9a-f]+\s*$", segments, re.M)
    undefined = set()
    for line in symbols.splitlines():
        fields = line.split()
        if len(fields) >= 8 and fields[6] == "UND":
            undefined.add(fields[7].split("@")[0])
    chk = sorted(s for s in undefined
                 if re.fullmatch(r"__\w+_chk", s) and s != "__stack_chk_fail")
    result = {}
    if has_interp:
        result["pie"] = (elf_type == "DYN" and "PIE" in flags.split(),
                         f"type {elf_type}, flags '{flags}'")
    else:
        result["pie"] = (elf_type == "DYN", f"type {elf_type} (shared object)")
    result["relro"] = (re.search(r"^\s*GNU_RELRO\s", segments, re.M) is not None,
                       "GNU_RELRO segment")
    result["bind_now"] = ("BIND_NOW" in flags.split() or "NOW" in flags.split(),
                          f"flags '{flags}'")
    result["nx_stack"] = (stack is not None and "E" not in stack.group(1),
                          f"GNU_STACK {stack.group(1) if stack else 'missing'}")
    result["no_textrel"] = (re.search(r"\(TEXTREL\)", dynamic) is None
                            and "TEXTREL" not in flags.split(), "no DT_TEXTREL")
    result["stack_protector"] = ("__stack_chk_fail" in undefined, "__stack_chk_fail")
    if fortify:
        result["fortify"] = (len(chk) > 0, ", ".join(chk[:6]) + (" ..." if len(chk) > 6 else "")
                             if chk else "no __*_chk function referenced")
    return result


def check_files(paths, fortify, quiet=False):
    failed = 0
    for path in paths:
        if not os.path.isfile(path):
            print(f"check_hardening: {path}: no such file", file=sys.stderr)
            sys.exit(2)
        for name, (ok, detail) in inspect(path, fortify).items():
            if not quiet:
                print(f"{'ok  ' if ok else 'FAIL'} {name:<16} {os.path.basename(path)}: {detail}")
            failed += 0 if ok else 1
        if not fortify and not quiet:
            print(f"skip fortify           {os.path.basename(path)}: "
                  "fortify is off in this build (Debug or sanitizers)")
    return failed


SELF_TEST_PROGRAM = r"""
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
	char buf[16];
	strcpy(buf, argc > 5 ? argv[1] : "x");
	printf("%s %d\n", buf, argc);
	return 0;
}
"""

HARDENED = ["-O2", "-fstack-protector-strong", "-U_FORTIFY_SOURCE", "-D_FORTIFY_SOURCE=3",
            "-fPIE", "-pie", "-Wl,-z,relro,-z,now", "-Wl,-z,noexecstack"]
SOFT = ["-O0", "-fno-stack-protector", "-U_FORTIFY_SOURCE", "-fno-PIE", "-no-pie",
        "-Wl,-z,norelro", "-Wl,-z,lazy", "-Wl,-z,execstack"]


def self_test(cc):
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "p.c")
        with open(source, "w") as f:
            f.write(SELF_TEST_PROGRAM)
        built = {}
        for name, flags in (("hardened", HARDENED), ("soft", SOFT)):
            out = os.path.join(tmp, name)
            try:
                subprocess.run([cc] + flags + ["-o", out, source], check=True,
                               capture_output=True, text=True)
            except (OSError, subprocess.CalledProcessError) as e:
                print(f"check_hardening: self-test: {cc} {' '.join(flags)}: {e}",
                      file=sys.stderr)
                sys.exit(2)
            built[name] = inspect(out, True)
        bad = []
        for name in CHECKS:
            if name == "no_textrel":
                continue  # a non-PIE link makes no text relocations either: nothing to provoke
            if not built["hardened"][name][0]:
                bad.append(f"{name} fails on a program built with the project's flags")
            if built["soft"][name][0]:
                bad.append(f"{name} passes on a program built without the protection")
        for line in bad:
            print(f"FAIL self-test: {line}")
        if not bad:
            print("ok   self-test: every check passes hardened and fails soft")
        return len(bad)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fortify", choices=("on", "off"), default="on")
    parser.add_argument("--self-test", metavar="CC")
    parser.add_argument("elf", nargs="+")
    args = parser.parse_args()
    failed = self_test(args.self_test) if args.self_test else 0
    failed += check_files(args.elf, args.fortify == "on")
    print(f"{'hardening: all checks passed' if failed == 0 else f'hardening: {failed} check(s) failed'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
