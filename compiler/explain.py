"""`--explain`: why every op runs where it runs, from the placement a bundle's manifest keeps.

Rendered as a table (text), as JSON, or as the partition graph drawn by
Graphviz (DOT → SVG or PNG), coloured by device.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict

from ..errors import GimletError

FORMATS = ("text", "json", "svg", "png", "dot")
COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d"]


def totals(manifest: dict) -> dict:
    """Per-device op count and estimated time, transfers, and the predicted end-to-end figures."""
    placement = manifest["placement"]
    per_device: dict[str, dict] = defaultdict(lambda: {"ops": 0, "seconds": 0.0})
    for row in placement["ops"]:
        entry = per_device[row["device"]]
        entry["ops"] += 1
        entry["seconds"] += row["estimates"][row["device"]]
    transfers = placement["transfers"]
    return {
        "devices": dict(per_device),
        "transfers": {
            "count": len(transfers),
            "bytes": sum(t["bytes"] for t in transfers),
            "seconds": sum(t["seconds"] for t in transfers),
        },
        "latency_s": placement["latency_s"],
        "cost_usd": placement["cost_usd"],
    }


def _time(seconds: float) -> str:
    if seconds == float("inf"):
        return "—"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.1f} µs"


def render_text(manifest: dict) -> str:
    placement = manifest["placement"]
    devices = [d["name"] for d in placement["devices"]]
    lines = [
        f"placement of {manifest['model']['source']}: objective {placement['objective']}, "
        f"{placement['method']} solver ({'proven optimal' if placement['optimal'] else 'not proven optimal'}); "
        f"inputs arrive on {placement['source']}",
        "devices: " + "; ".join(f"{d['name']} = {d['target']} ({d['profile']}: {d['profile_source']})" for d in placement["devices"]),
        "",
    ]
    header = ["node", "op", "MFLOP", "kB"] + [f"{name}" for name in devices] + ["device", "why", "partition"]
    rows = [
        [
            row["node"],
            row["op"],
            f"{row['flops'] / 1e6:.3f}",
            f"{row['bytes'] / 1e3:.1f}",
            *(_time(row["estimates"][name]) for name in devices),
            row["device"],
            row["reason"],
            row["partition"],
        ]
        for row in placement["ops"]
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    for cells in [header, *rows]:
        lines.append("  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths)).rstrip())
    summary = totals(manifest)
    lines.append("")
    for name in devices:
        entry = summary["devices"].get(name, {"ops": 0, "seconds": 0.0})
        lines.append(f"{name}: {entry['ops']} ops, {_time(entry['seconds'])} estimated")
    transfers = summary["transfers"]
    lines.append(f"transfers: {transfers['count']}, {transfers['bytes'] / 1e3:.1f} kB, {_time(transfers['seconds'])} estimated")
    for transfer in placement["transfers"]:
        lines.append(f"  {transfer['tensor']}: {transfer['from']} → {transfer['to']}, {transfer['bytes'] / 1e3:.1f} kB, {_time(transfer['seconds'])}")
    lines.append(f"predicted latency {_time(summary['latency_s'])}, cost ${summary['cost_usd']:.3g} per inference")
    return "\n".join(lines) + "\n"


def render_json(manifest: dict) -> str:
    return json.dumps({"model": manifest["model"], "placement": manifest["placement"], "totals": totals(manifest)}, indent=2) + "\n"


def render_dot(manifest: dict) -> str:
    """The partition graph: model inputs and outputs, partitions coloured by device, tensors on edges."""
    placement = manifest["placement"]
    colour = {d["name"]: COLOURS[i % len(COLOURS)] for i, d in enumerate(placement["devices"])}
    ops_in = defaultdict(int)
    for row in placement["ops"]:
        ops_in[row["partition"]] += 1
    lines = ["digraph placement {", "  rankdir=TB;", '  node [shape=box, style="rounded,filled", fontname="Helvetica"];']
    producer = {}
    for spec in manifest["inputs"]:
        lines.append(f'  "in:{spec["name"]}" [label="{spec["name"]}\\n{spec["dtype"]}{spec["shape"]}", shape=ellipse, fillcolor=white];')
        producer[spec["name"]] = (f"in:{spec['name']}", placement["source"])
    for partition in manifest["partitions"]:
        device = partition["target"]
        lines.append(
            f'  "{partition["name"]}" [label="{partition["name"]} on {device}\\n{ops_in[partition["name"]]} ops", '
            f'fillcolor="{colour.get(device, "#cccccc")}", fontcolor=white];'
        )
        for tensor in partition["inputs"]:
            source, source_device = producer[tensor]
            style = ', color="#d62728", penwidth=2' if source_device != device else ""
            lines.append(f'  "{source}" -> "{partition["name"]}" [label="{tensor}"{style}];')
        for tensor in partition["outputs"]:
            producer[tensor] = (partition["name"], device)
    for spec in manifest["outputs"]:
        source, source_device = producer[spec["name"]]
        lines.append(f'  "out:{spec["name"]}" [label="{spec["name"]}", shape=ellipse, fillcolor=white];')
        style = ', color="#d62728", penwidth=2' if source_device != placement["source"] else ""
        lines.append(f'  "{source}" -> "out:{spec["name"]}"{" [" + style[2:] + "]" if style else ""};')
    legend = " | ".join(f"{name}" for name in colour)
    lines.append(f'  label="devices: {legend}; red edges cross devices"; labelloc=b;')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(manifest: dict, fmt: str) -> str | bytes:
    """The explanation in `fmt` (text, json, dot, svg, png)."""
    if fmt == "text":
        return render_text(manifest)
    if fmt == "json":
        return render_json(manifest)
    dot_source = render_dot(manifest)
    if fmt == "dot":
        return dot_source
    if fmt not in ("svg", "png"):
        raise GimletError(f"--explain={fmt}: unknown format; use one of {', '.join(FORMATS)}")
    dot = shutil.which("dot")
    if dot is None:
        raise GimletError(f"--explain={fmt} needs Graphviz's `dot` (apt install graphviz); --explain=dot writes the graph source")
    result = subprocess.run([dot, f"-T{fmt}"], input=dot_source.encode(), capture_output=True)
    if result.returncode != 0:
        raise GimletError(f"Graphviz failed to draw the placement: {result.stderr.decode().strip()}")
    return result.stdout
