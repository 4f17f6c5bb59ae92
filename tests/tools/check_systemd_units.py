#!/usr/bin/env python3
"""check_systemd_units.py - checks packaging/systemd/ (issue 13): every role has
a unit, every unit runs `hromada serve ROLE` sandboxed, and systemd itself
accepts the files.

    check_systemd_units.py UNIT_DIR [--hromada BUILT_BINARY] [--self-test]

1. Each role (registry, gateway, wallet, trust, nccc) has exactly one unit, and
   its ExecStart runs `hromada serve ROLE --config /etc/hromada/...`.
2. Each unit sets the sandbox below (REQUIRED: key -> accepted values), never
   runs as root (DynamicUser=yes, or User= something other than root/0), has a
   StateDirectory= (the only writable path under ProtectSystem=strict), and
   allows no address family beyond AF_INET, AF_INET6 and AF_UNIX.
3. When systemd-analyze is installed (Debian 12: package systemd), `verify`
   must print nothing about the unit (it exits 0 even on unknown keys, so the
   output is what counts), and `security --offline=yes` must rate each unit's
   exposure at most MAX_EXPOSURE. ExecStart is pointed at BUILT_BINARY in a
   temporary copy, as verify checks that the program exists.

--self-test first feeds the checks a unit with each required line removed in
turn and requires each to be caught.

Exit 0 when all checks pass, 1 when one fails, 2 on usage errors.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROLES = ("registry", "gateway", "wallet", "trust", "nccc")
MAX_EXPOSURE = 2.5  # systemd-analyze security: 0 safest, 10 unsandboxed; "OK" is below 3

REQUIRED = {
    "NoNewPrivileges": {"yes", "true"},
    "CapabilityBoundingSet": {""},
    "AmbientCapabilities": {""},
    "ProtectSystem": {"strict"},
    "ProtectHome": {"yes", "true"},
    "PrivateTmp": {"yes", "true"},
    "PrivateDevices": {"yes", "true"},
    "ProtectKernelTunables": {"yes", "true"},
    "ProtectKernelModules": {"yes", "true"},
    "ProtectKernelLogs": {"yes", "true"},
    "ProtectControlGroups": {"yes", "true"},
    "ProtectClock": {"yes", "true"},
    "ProtectHostname": {"yes", "true"},
    "RestrictNamespaces": {"yes", "true"},
    "RestrictRealtime": {"yes", "true"},
    "RestrictSUIDSGID": {"yes", "true"},
    "LockPersonality": {"yes", "true"},
    "MemoryDenyWriteExecute": {"yes", "true"},
    "SystemCallArchitectures": {"native"},
    "UMask": {"0077", "0027"},
}
ALLOWED_FAMILIES = {"AF_INET", "AF_INET6", "AF_UNIX"}


def parse_unit(text):
    """{section: {key: [values in order]}}; a later empty assignment resets a list."""
    units, section = {}, None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        m = re.fullmatch(r"\[(\w+)\]", line)
        if m:
            section = units.setdefault(m.group(1), {})
            continue
        if "=" not in line or section is None:
            raise ValueError(f"not a key=value line: {raw!r}")
        key, value = (part.strip() for part in line.split("=", 1))
        section.setdefault(key, []).append(value)
    return units


def check_unit(name, text):
    """Returns (role or None, [problems]) for one unit file's text."""
    problems = []
    try:
        unit = parse_unit(text)
    except ValueError as e:
        return None, [str(e)]
    service = unit.get("Service", {})

    def last(key):
        values = service.get(key)
        return values[-1] if values else None

    role = None
    exec_start = last("ExecStart") or ""
    m = re.fullmatch(r"/usr/bin/hromada serve (\w+) --config /etc/hromada/[\w%-]+\.ini",
                     exec_start)
    if m is None or m.group(1) not in ROLES:
        problems.append(f"ExecStart={exec_start!r} is not 'hromada serve ROLE --config ...'")
    else:
        role = m.group(1)
    for key, accepted in REQUIRED.items():
        value = last(key)
        if value is None:
            problems.append(f"{key}= is missing")
        elif value not in accepted:
            problems.append(f"{key}={value} (want {' or '.join(sorted(accepted)) or 'empty'})")
    user = last("User")
    if last("DynamicUser") not in ("yes", "true") and user in (None, "", "root", "0"):
        problems.append("runs as root: set DynamicUser=yes or User= an unprivileged user")
    if user in ("root", "0"):
        problems.append("User=root")
    if not last("StateDirectory"):
        problems.append("StateDirectory= is missing (the role's one writable path)")
    families = set(" ".join(service.get("RestrictAddressFamilies", [])).split())
    if not families:
        problems.append("RestrictAddressFamilies= is missing")
    elif not families <= ALLOWED_FAMILIES or any(f.startswith("~") for f in families):
        problems.append(f"RestrictAddressFamilies allows {sorted(families - ALLOWED_FAMILIES)}")
    filters = service.get("SystemCallFilter", [])
    allow = [f for f in filters if not f.startswith("~")]
    if not allow or "@system-service" not in allow[0].split():
        problems.append("SystemCallFilter= does not start from @system-service")
    if "Install" not in unit or "WantedBy" not in unit["Install"]:
        problems.append("[Install] WantedBy= is missing")
    return role, problems


def self_test(sample_name, sample_text):
    """Every required line, removed, must be caught."""
    missed = []
    role, problems = check_unit(sample_name, sample_text)
    if problems:
        return [f"the sample {sample_name} itself fails: {problems}"]
    mutations = [(k, f"^{k}=.*$", "") for k in REQUIRED]
    mutations += [
        ("DynamicUser", r"^DynamicUser=.*$", "User=root"),
        ("StateDirectory", r"^StateDirectory=.*$", ""),
        ("RestrictAddressFamilies", r"^RestrictAddressFamilies=.*$",
         "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK"),
        ("SystemCallFilter", r"^SystemCallFilter=@system-service.*$", ""),
        ("ExecStart", r"^ExecStart=.*$", "ExecStart=/usr/bin/hromada up"),
    ]
    for label, pattern, replacement in mutations:
        mutated = re.sub(pattern, replacement, sample_text, flags=re.M)
        if mutated == sample_text:
            missed.append(f"self-test: could not remove {label} from {sample_name}")
            continue
        if not check_unit(sample_name, mutated)[1]:
            missed.append(f"self-test: a unit without {label} passes")
    return missed


def systemd_checks(unit_dir, files, binary):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        print("skip systemd-analyze: not installed (Debian package systemd); key checks only")
        return []
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name in files:
            with open(os.path.join(unit_dir, name)) as f:
                text = f.read()
            text = text.replace("ExecStart=/usr/bin/hromada ", f"ExecStart={binary} ")
            if name.endswith("@.service"):
                name = name.replace("@.service", "@driver_licence.service")
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write(text)
            paths.append(path)
        env = dict(os.environ, SYSTEMD_LOG_COLOR="0", SYSTEMD_PAGER="")
        for path in paths:
            name = os.path.basename(path)
            r = subprocess.run([tool, "verify", path], capture_output=True, text=True, env=env)
            said = [line for line in (r.stdout + r.stderr).splitlines()
                    if name in line or "rror" in line]
            if r.returncode != 0 or said:
                problems.append(f"{name}: systemd-analyze verify: " + " | ".join(said or [r.stderr]))
            else:
                print(f"ok   {name}: systemd-analyze verify is silent")
            r = subprocess.run([tool, "security", "--offline=yes", "--no-pager", path],
                               capture_output=True, text=True, env=env)
            m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.stdout + r.stderr)
            if m is None:
                problems.append(f"{name}: systemd-analyze security gave no exposure level: "
                                + (r.stderr.strip() or r.stdout[-300:]))
            elif float(m.group(1)) > MAX_EXPOSURE:
                problems.append(f"{name}: exposure {m.group(1)} above {MAX_EXPOSURE}")
            else:
                print(f"ok   {name}: systemd-analyze security exposure {m.group(1)} "
                      f"(at most {MAX_EXPOSURE})")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("unit_dir")
    parser.add_argument("--hromada", help="the built binary, for systemd-analyze verify")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    files = sorted(f for f in os.listdir(args.unit_dir) if f.endswith(".service"))
    if not files:
        print(f"check_systemd_units: no .service files in {args.unit_dir}", file=sys.stderr)
        return 2
    problems, seen = [], {}
    texts = {}
    for name in files:
        with open(os.path.join(args.unit_dir, name)) as f:
            texts[name] = f.read()
        role, unit_problems = check_unit(name, texts[name])
        problems += [f"{name}: {p}" for p in unit_problems]
        if role is not None:
            if role in seen:
                problems.append(f"{name}: role {role} already has {seen[role]}")
            seen[role] = name
        if not unit_problems:
            print(f"ok   {name}: hromada serve {role}, sandbox complete")
    for role in ROLES:
        if role not in seen:
            problems.append(f"no unit runs 'hromada serve {role}'")
    if args.self_test:
        problems += self_test(files[0], texts[files[0]])
        if not any(p.startswith("self-test") for p in problems):
            print("ok   self-test: every required line, removed, is caught")
    if args.hromada:
        problems += systemd_checks(args.unit_dir, files, os.path.abspath(args.hromada))
    for p in problems:
        print(f"FAIL {p}")
    print("systemd units: all checks passed" if not problems
          else f"systemd units: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
