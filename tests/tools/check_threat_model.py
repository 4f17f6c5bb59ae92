#!/usr/bin/env python3
"""check_threat_model.py - every test docs/THREAT_MODEL.md names exists (issue 13).

    check_threat_model.py THREAT_MODEL.md TESTS_DIR [FUZZ_DIR] [--self-test]

The citation format (docs/THREAT_MODEL.md, "How to read the tables"):
  - a threat is a row of a Markdown table whose header has the columns
    "ID", "Mitigation", "Test" and "Residual risk", and whose ID is T<number>;
  - its Test cell names one or more tests, each in backticks:
      `test_name`          a C test function: TESTS_DIR/**/*.c must define it
                           (a line "static void test_name(" or "void test_name(")
      `file.c:test_name`   the same, defined in that file (tests/unit/file.c or
                           tests/e2e/file.c)
      `fuzz_name`          a libFuzzer target: FUZZ_DIR/fuzz_name.c must exist
      `ctest:NAME`         a CTest test registered with add_test(NAME NAME ...) in
                           TESTS_DIR's CMake files (the script-driven checks), or
                           browser.X for TESTS_DIR/browser/X.test.mjs, which
                           tests/browser.cmake registers one by one
  - rows under the heading "## Pending (issue 13 parts in progress)", up to the
    next "## " heading, are not counted or checked (they name TBD-A, TBD-C, ...).

Fails (exit 1) when a cited test does not exist, a threat cites none or leaves
Mitigation or Residual risk empty, an ID repeats, "TBD" appears outside the
pending section, or fewer than MIN_THREATS threats are listed. That CTest then
runs every cited test is what shows they pass. Exit 2 on usage errors.
"""

import argparse
import os
import re
import sys

MIN_THREATS = 15
PENDING_HEADING = "## Pending (issue 13 parts in progress)"
CITATION = re.compile(r"`([^`]+)`")


def split_row(line):
    cells = line.strip().strip("|").split("|")
    return [c.strip() for c in cells]


def threats_of(text):
    """Yields (line number, {column: cell}) for every threat row outside the
    pending section; also returns the lines outside it for the TBD check."""
    rows, outside, header = [], [], None
    pending = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("## "):
            pending = line.strip() == PENDING_HEADING
            header = None
        if pending:
            continue
        outside.append((number, line))
        if not line.lstrip().startswith("|"):
            header = None
            continue
        cells = split_row(line)
        if header is None:
            if {"ID", "Mitigation", "Test", "Residual risk"} <= set(cells):
                header = cells
            continue
        if all(re.fullmatch(r":?-+:?", c) for c in cells if c):
            continue
        if re.fullmatch(r"T\d+", cells[0]):
            rows.append((number, dict(zip(header, cells))))
    return rows, outside


def c_definitions(tests_dir):
    """{function name: set of file basenames defining it}"""
    found = {}
    pattern = re.compile(r"^(?:static\s+)?(?:void|int|bool)\s+(\w+)\s*\(", re.M)
    for root, _, files in os.walk(tests_dir):
        for name in files:
            if name.endswith(".c"):
                with open(os.path.join(root, name), errors="replace") as f:
                    for m in pattern.finditer(f.read()):
                        found.setdefault(m.group(1), set()).add(name)
    return found


def ctest_names(tests_dir):
    names = set()
    for root, _, files in os.walk(tests_dir):
        for name in files:
            if name.endswith(".cmake") or name == "CMakeLists.txt":
                with open(os.path.join(root, name)) as f:
                    names.update(re.findall(r"add_test\(\s*NAME\s+([\w.]+)", f.read()))
            if root == os.path.join(tests_dir, "browser") and name.endswith(".test.mjs"):
                names.add("browser." + name[: -len(".test.mjs")])
    return names


def check(text, functions, fuzz_targets, ctests):
    problems = []
    rows, outside = threats_of(text)
    for number, line in outside:
        if "TBD" in line:
            problems.append(f"line {number}: TBD outside '{PENDING_HEADING}'")
    seen = {}
    for number, row in rows:
        tid = row.get("ID", "?")
        if tid in seen:
            problems.append(f"line {number}: {tid} already on line {seen[tid]}")
        seen[tid] = number
        for column in ("Mitigation", "Residual risk"):
            if not row.get(column):
                problems.append(f"line {number}: {tid} has no {column}")
        cited = CITATION.findall(row.get("Test", ""))
        if not cited:
            problems.append(f"line {number}: {tid} names no test")
        for citation in cited:
            if citation.startswith("ctest:"):
                if citation[6:] not in ctests:
                    problems.append(f"line {number}: {tid}: no CTest test {citation[6:]}")
            elif ":" in citation:
                file, function = citation.split(":", 1)
                if file not in functions.get(function, set()):
                    problems.append(f"line {number}: {tid}: {function} is not defined in "
                                    f"tests/**/{file}")
            elif citation.startswith("fuzz_"):
                if citation not in fuzz_targets:
                    problems.append(f"line {number}: {tid}: no fuzz target {citation}.c")
            elif citation not in functions:
                problems.append(f"line {number}: {tid}: no test function {citation}( in tests/")
    if len(rows) < MIN_THREATS:
        problems.append(f"{len(rows)} threats listed, at least {MIN_THREATS} needed")
    return problems, len(rows)


def self_test():
    """The checker itself catches each kind of mistake."""
    head = ("| ID | Threat | Mitigation | Test | Residual risk |\n"
            "|---|---|---|---|---|\n")

    def doc(rows, pending=""):
        return ("# T\n## Threats\n" + head + "".join(rows)
                + (f"\n{PENDING_HEADING}\n" + head + pending if pending else "")
                + "\n## After\n")

    good = [f"| T{i} | x | m | `test_a` | r |\n" for i in range(1, MIN_THREATS + 1)]
    functions = {"test_a": {"test_a.c"}}
    cases = {
        "a complete document passes": (doc(good), True),
        "pending TBD rows are ignored": (doc(good, "| T99 | x | m | `TBD-A` | r |\n"), True),
        "an unknown function fails": (doc(good[1:] + ["| T1 | x | m | `test_b` | r |\n"]), False),
        "a wrong file fails": (doc(good[1:] + ["| T1 | x | m | `other.c:test_a` | r |\n"]),
                               False),
        "TBD outside pending fails": (doc(good[1:] + ["| T1 | x | m | `TBD-C` | r |\n"]), False),
        "too few threats fail": (doc(good[1:]), False),
        "a repeated ID fails": (doc(good + ["| T1 | x | m | `test_a` | r |\n"]), False),
        "no test fails": (doc(good[1:] + ["| T1 | x | m | none | r |\n"]), False),
        "no residual risk fails": (doc(good[1:] + ["| T1 | x | m | `test_a` |  |\n"]), False),
        "an unknown fuzz target fails": (doc(good[1:] + ["| T1 | x | m | `fuzz_nope` | r |\n"]),
                                         False),
        "an unknown ctest fails": (doc(good[1:] + ["| T1 | x | m | `ctest:lint.nope` | r |\n"]),
                                   False),
    }
    bad = []
    for label, (text, should_pass) in cases.items():
        problems, _ = check(text, functions, set(), set())
        if (not problems) != should_pass:
            bad.append(f"self-test: {label}: got {problems or 'no problem'}")
    return bad


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("document")
    parser.add_argument("tests_dir")
    parser.add_argument("fuzz_dir", nargs="?")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    problems = self_test() if args.self_test else []
    try:
        with open(args.document) as f:
            text = f.read()
    except OSError as e:
        print(f"check_threat_model: {e}", file=sys.stderr)
        return 2
    fuzz_targets = set()
    if args.fuzz_dir and os.path.isdir(args.fuzz_dir):
        fuzz_targets = {n[:-2] for n in os.listdir(args.fuzz_dir)
                        if n.startswith("fuzz_") and n.endswith(".c")}
    found, count = check(text, c_definitions(args.tests_dir), fuzz_targets,
                         ctest_names(args.tests_dir))
    problems += found
    for p in problems:
        print(f"FAIL {p}")
    print(f"threat model: {count} threats, "
          + ("every cited test exists" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
