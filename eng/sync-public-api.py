#!/usr/bin/env python3
"""Brings PublicAPI.Unshipped.txt in line with a build's RS0016/RS0017 errors: new symbols are appended, symbols listed
in Shipped that are gone get a *REMOVED* line, symbols listed in Unshipped that are gone are dropped."""
import re, subprocess, sys, collections
out = subprocess.run(["dotnet", "build", "NnFunctional.sln", "-v", "q"], capture_output=True, text=True).stdout
add = collections.defaultdict(set); gone = collections.defaultdict(set)
for m in re.finditer(r"error (RS001[67]): Symbol '(.*?)' is (?:not )?part of the declared.*?\[(.*?)/([^/]+)\.csproj\]", out):
    code, sym, folder, _ = m.groups()
    (add if code == "RS0016" else gone)[folder].add(sym)
for folder in set(add) | set(gone):
    shipped = open(f"{folder}/PublicAPI.Shipped.txt").read().splitlines()
    unshipped = open(f"{folder}/PublicAPI.Unshipped.txt").read().splitlines()
    unshipped = [l for l in unshipped if l not in gone[folder]]
    for s in sorted(gone[folder]):
        if s in shipped and f"*REMOVED*{s}" not in unshipped: unshipped.append(f"*REMOVED*{s}")
    for s in sorted(add[folder]):
        if s not in unshipped: unshipped.append(s)
    header = [l for l in unshipped if l.startswith("#")]
    body = sorted(l for l in unshipped if not l.startswith("#"))
    open(f"{folder}/PublicAPI.Unshipped.txt", "w").write("\n".join(header + body) + "\n")
    print(folder, "added", len(add[folder]), "removed", len(gone[folder]))
