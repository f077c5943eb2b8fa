"""Put the three backends' full-suite results side by side: benchmarks/results/conformance.md.

    python test/conformance/report.py [--results test/conformance/results] [--out benchmarks/results/conformance.md]

Reads <results>/{gimlet,iree,onnxruntime}.csv (and the run facts in their
-summary.md). The analysis written by hand between the ANALYSIS markers of an
existing report is kept.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from conformance.causes import CAUSES, WRONG_RESULT
from conformance.run import read_csv

ROOT = HERE.parents[1]
BEGIN, END = "<!-- BEGIN ANALYSIS (kept by report.py) -->", "<!-- END ANALYSIS -->"
#: The project's aims (DESIGN / the conformance issue).
AIM_POINTS_OVER_IREE = 10.0
AIM_SHARE_OF_ORT = 0.90


def run_facts(summary: Path) -> dict[str, str]:
    facts = {}
    if summary.exists():
        for line in summary.read_text().splitlines():
            if line.startswith("- ") and ": " in line and not line.startswith("- **"):
                key, value = line[2:].split(": ", 1)
                facts[key] = value
    return facts


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:.1f}%" if d else "-"


def build(results: Path) -> str:
    rows = {b: {r.case: r for r in read_csv(results / f"{b}.csv")} for b in ("gimlet", "iree", "onnxruntime")}
    facts = {b: run_facts(results / f"{b}-summary.md") for b in rows}
    g, i, o = rows["gimlet"], rows["iree"], rows["onnxruntime"]
    cases = sorted(set(g) & set(i) & set(o))
    n = len(cases)
    passes = {b: {c for c in cases if rows[b][c].status == "pass"} for b in rows}
    gp, ip, op = passes["gimlet"], passes["iree"], passes["onnxruntime"]
    points = 100 * (len(gp) - len(ip)) / n
    share = len(gp & op) / len(op) if op else 0.0

    out = ["# ONNX backend node tests: gimlet, IREE directly, ONNX Runtime", ""]
    out += [
        f"All {n} node test cases of onnx {facts['gimlet'].get('onnx', '?')} (`onnx.backend.test`), each compared with "
        "the suite's own tolerances (rtol 1e-3, atol 1e-7: no node case sets others), run by "
        "`python test/conformance/run.py --backend onnxruntime,iree,gimlet --gimlet-commit HEAD --jobs 2` on this "
        f"machine ({facts['gimlet'].get('cpus', '?')} CPUs), one case per worker process with a 60 s limit. "
        "Per-case results: `test/conformance/results/*.csv`; how to run: `test/conformance/README.md`.",
        "",
        "| backend | passes | of | rate | wall time | versions |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for backend, label in (("gimlet", "gimlet (CPU)"), ("iree", "IREE directly (importer + llvm-cpu)"), ("onnxruntime", "ONNX Runtime (CPU)")):
        f = facts[backend]
        wall = f.get("run", "").split(", ")[-1].replace(" wall", "")
        version = {
            "gimlet": f"gimlet {f.get('gimlet_commit', f.get('gimlet', '?'))}, IREE {f.get('iree', '?')}",
            "iree": f"IREE {f.get('iree', '?')}",
            "onnxruntime": f"onnxruntime {f.get('onnxruntime', '?')}",
        }[backend]
        out.append(f"| {label} | {len(passes[backend])} | {n} | **{pct(len(passes[backend]), n)}** | {wall} | {version} |")
    out += [
        "",
        "## Against the aims",
        "",
        "| aim | target | now | met |",
        "| --- | --- | --- | --- |",
        f"| gimlet over IREE directly | ≥ +{AIM_POINTS_OVER_IREE:g} points | {points:+.1f} points "
        f"({pct(len(gp), n)} vs {pct(len(ip), n)}) | {'yes' if points >= AIM_POINTS_OVER_IREE else 'no'} |",
        f"| share of the cases ORT passes that gimlet passes | ≥ {AIM_SHARE_OF_ORT:.0%} | {share:.1%} "
        f"({len(gp & op)} of {len(op)}) | {'yes' if share >= AIM_SHARE_OF_ORT else 'no'} |",
        "",
        f"To reach +{AIM_POINTS_OVER_IREE:g} points gimlet needs {max(0, round(len(ip) + AIM_POINTS_OVER_IREE * n / 100 + 0.4999) - len(gp))} "
        f"more passing cases; to reach {AIM_SHARE_OF_ORT:.0%} of ORT's, "
        f"{max(0, round(AIM_SHARE_OF_ORT * len(op) + 0.4999) - len(gp & op))} more of the cases ORT passes.",
        "",
        "### Case by case",
        "",
        "| | cases |",
        "| --- | ---: |",
        f"| gimlet passes, IREE directly fails | {len(gp - ip)} |",
        f"| IREE directly passes, gimlet fails | {len(ip - gp)} |",
        f"| ORT passes, gimlet fails | {len(op - gp)} |",
        f"| gimlet passes, ORT fails | {len(gp - op)} |",
        f"| all three pass | {len(gp & ip & op)} |",
        f"| none passes | {n - len(gp | ip | op)} |",
        "",
    ]
    if ip - gp:
        out += ["Cases IREE directly passes and gimlet fails (regressions gimlet adds):", ""]
        out += [f"- `{c}` ({g[c].op}): {g[c].cause}: {g[c].message[:160]}" for c in sorted(ip - gp)[:40]]
        if len(ip - gp) > 40:
            out.append(f"- … and {len(ip - gp) - 40} more")
        out.append("")
    gained = Counter(i[c].cause for c in gp - ip)
    out += ["What gimlet fixes over IREE directly (IREE's cause, for the cases gimlet passes and IREE fails): "
            + ", ".join(f"{cause} {k}" for cause, k in gained.most_common()) + ".", ""]

    out += ["## Failures by cause", "", "| cause | gimlet | IREE directly | ORT | what it means |", "| --- | ---: | ---: | ---: | --- |"]
    by = {b: Counter(rows[b][c].cause for c in cases if rows[b][c].status != "pass") for b in rows}
    for cause in sorted(set().union(*by.values()), key=lambda c: (-by["gimlet"][c], -by["iree"][c], c)):
        out.append(f"| {cause} | {by['gimlet'][cause]} | {by['iree'][cause]} | {by['onnxruntime'][cause]} | {CAUSES.get(cause, '')} |")
    totals = {b: sum(by[b].values()) for b in by}
    wrong = {b: sum(by[b][c] for c in WRONG_RESULT) for b in by}
    out += [f"| **all failures** | {totals['gimlet']} | {totals['iree']} | {totals['onnxruntime']} | "
            f"of which wrong results: {wrong['gimlet']}, {wrong['iree']}, {wrong['onnxruntime']} |", ""]

    out += ["## gimlet failures among the cases ORT passes, by cause", "",
            "These are the cases that count against the 90%-of-ORT aim.", "", "| cause | cases |", "| --- | ---: |"]
    for cause, k in Counter(g[c].cause for c in op - gp).most_common():
        out.append(f"| {cause} | {k} |")
    out.append("")

    out += ["## Op types that fail most in gimlet", "",
            "By the op a case tests (an `_expanded` case counts for its base op). Failing counts per backend.", "",
            "| op | cases | gimlet fails | IREE fails | ORT fails | gimlet's causes |", "| --- | ---: | ---: | ---: | ---: | --- |"]
    ops = Counter(g[c].op for c in cases)
    gfail = Counter(g[c].op for c in cases if g[c].status != "pass")
    ifail = Counter(i[c].op for c in cases if i[c].status != "pass")
    ofail = Counter(o[c].op for c in cases if o[c].status != "pass")
    for opname, k in sorted(gfail.items(), key=lambda t: (-t[1], t[0]))[:40]:
        causes = Counter(g[c].cause for c in cases if g[c].op == opname and g[c].status != "pass")
        out.append(f"| {opname} | {ops[opname]} | {k} | {ifail[opname]} | {ofail[opname]} | "
                   + ", ".join(f"{cause} {m}" for cause, m in causes.most_common()) + " |")
    out.append("")
    native = [float(g[c].native) for c in gp if g[c].native]
    if native:
        full = sum(v >= 0.999 for v in native)
        out += [f"Of the {len(gp)} cases gimlet passes, {full} ran entirely as native gimlet ops and "
                f"{len(native) - full} held some `gimlet.foreign` (torch) ops (manifest coverage).", ""]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default=str(HERE / "results"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "conformance.md"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    text = build(Path(args.results))
    if out.exists() and BEGIN in out.read_text():
        old = out.read_text()
        text += "\n" + old[old.index(BEGIN) : old.index(END) + len(END)] + "\n"
    else:
        text += f"\n{BEGIN}\n## Analysis of gimlet's failures\n\n(to be written)\n{END}\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
