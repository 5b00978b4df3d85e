#!/usr/bin/env python3
"""Writes N random cases for a rule set as JSON Lines (or CSV), for batch benchmarks.

The facts and their types are read from the rule files (`feit` declarations, bases
followed through `gebaseerd op`). Every 1000th case is invalid on purpose (a value of
the wrong type, or a key that is no fact), and every case carries `kosten`.

    python3 bench/cases.py rules/kop-van-noord-holland.regels 1000000 > /tmp/cases.jsonl
"""
import json
import os
import random
import re
import sys


def facts(path, seen=None):
    seen = seen or set()
    if path in seen:
        return []
    seen.add(path)
    text = open(path, encoding="utf-8").read()
    out = []
    base = re.search(r'gebaseerd op "([^"]+)"', text)
    if base:
        out += facts(os.path.join(os.path.dirname(path), base.group(1)), seen)
    for m in re.finditer(r"^feit (\w+): (ja/nee|getal(?: tussen (\S+) en (\S+))?|tekst|(keuze|lijst)\()", text, re.M):
        name, ty = m.group(1), m.group(2)
        if ty == "ja/nee":
            out.append((name, "bool", None))
        elif ty.startswith("getal"):
            lo, hi = float(m.group(3) or 0), float(m.group(4) or 100)
            out.append((name, "number", (lo, hi)))
        elif ty == "tekst":
            out.append((name, "text", None))
        else:
            out.append((name, m.group(5), values(text, m.end())))
    return out


def values(text, at):
    """The value names of a `keuze(...)` or `lijst(...)` from `at` (just after the
    parenthesis): the first word of each item; a label in quotes may hold commas and
    parentheses."""
    items, item, quoted = [], "", False
    for ch in text[at:]:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in ",)":
            items.append(item.split()[0] if item.split() else "")
            item = ""
            if ch == ")":
                break
            continue
        elif not quoted:
            item += ch
    return [v for v in items if v]


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    fmt = sys.argv[3] if len(sys.argv) > 3 else "jsonl"
    rnd = random.Random(7)
    fs = facts(path)
    w = sys.stdout
    if fmt == "csv":
        w.write(",".join(["id", "kosten"] + [f for f, _, _ in fs]) + "\n")
    for i in range(n):
        case = {"id": f"c{i}", "kosten": rnd.randrange(0, 5_000_000) / 100}
        for name, ty, extra in fs:
            if rnd.random() < 0.1:
                continue  # unknown
            if ty == "bool":
                case[name] = rnd.random() < 0.5
            elif ty == "number":
                lo, hi = extra
                case[name] = rnd.randint(int(lo), int(hi))
            elif ty == "text":
                case[name] = "x"
            elif ty == "keuze":
                case[name] = rnd.choice(extra)
            else:
                case[name] = sorted(rnd.sample(extra, rnd.randint(0, min(2, len(extra)))))
        if i % 1000 == 999:
            if rnd.random() < 0.5:
                case["naam"] = "Piet"
            else:
                case[fs[0][0]] = 12345
        if fmt == "csv":
            def cell(v):
                if v is None:
                    return ""
                if isinstance(v, bool):
                    return "ja" if v else "nee"
                if isinstance(v, list):
                    return ";".join(v) if v else "[]"
                return str(v)
            if "naam" in case:
                del case["naam"]
                case[fs[0][0]] = 12345
            w.write(",".join([cell(case.get("id")), cell(case.get("kosten"))] + [cell(case.get(f)) for f, _, _ in fs]) + "\n")
        else:
            w.write(json.dumps(case, ensure_ascii=False) + "\n")


main()
