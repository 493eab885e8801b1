#!/usr/bin/python3
"""chart: the benchmark's tables as one SVG of small bar charts.

    chart.py RESULTS.md > results.svg

Reads the markdown bench/run writes (or bench/RESULTS.md, which collects
it) and draws one panel per figure that has a ratio column: figure 1
(connect wall time, % of the hand-written client), 4, 5, 6, 7 (% of the
limit), figure 8 (total time as a multiple of one connect, and the worst
timer stall), 8b (the stall against a silent proxy) and 9 (the backstop:
wall time, % of the C client in process).  A figure missing
from the input is left out; when a figure appears more than once the last
table wins.  Each panel names the run it comes from (the date line above
it).  Bars that failed are drawn as a red cross with the reason as the
tooltip.  Standard library only; no matplotlib.
"""
import math
import re
import sys
from xml.sax.saxutils import escape

# figure id, value column, group columns, log scale, reference lines, y label
PANELS = [
    ("1", "wall % limit", ["case"], False, [(100, "limit")],
     "connect + echo wall time, % of the hand-written client"),
    ("4", "% limit", [], False, [(100, "limit")], "throughput, % of the limit"),
    ("5", "% limit", [], False, [(100, "limit")],
     "8 threads × connects, wall, % of the limit"),
    ("6", "% limit", ["case"], True, [(100, "limit")],
     "syscalls per connect, % of the limit"),
    ("7", "wall % limit", ["case"], False, [(100, "limit")],
     "through dante-server, wall, % of the limit"),
    ("8", "× one connect", ["client", "N"], True,
     [(1, "1× all parallel"), (2, "2× target")],
     "N parallel connects: total ÷ one connect"),
    ("8", "worst stall ms", ["client", "N"], True, [(20, "20 ms target")],
     "worst lateness of a 5 ms timer, ms"),
    ("8b", "worst stall ms", [], True, [(20, "20 ms target")],
     "silent proxy: worst timer stall, ms"),
    ("9", "wall % C in-process", ["case"], False, [(100, "C in-process")],
     "the backstop: connect + echo wall, % of the C client in process"),
]
COLORS = {"limit": "#8c8c8c", "limit-pipelined": "#c7c7c7",
          "socksify": "#1f77b4", "socksify-pipelined": "#7fb5dc",
          "proxychains4": "#ff7f0e", "torsocks": "#9467bd", "dante": "#2ca02c"}
OTHER = ["#d62728", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
W, PH, LEFT, RIGHT = 980, 170, 56, 84


def parse(path):
    """{figure id: (title, run line, header, rows)} from bench/run markdown"""
    sections, run, cur = {}, "", None
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC", line):
            run = line.split(",")[0]
        elif line.startswith("Load average at start:"):
            run = run.split(", load")[0] + ", load " + line.split(":")[1].split()[0]
        m = re.match(r"^## (\d+[a-z]?)\. (.*)$", line)
        if m:
            cur = [m.group(2), run, None, []]
            sections[m.group(1)] = cur
            continue
        if cur is None or not line.startswith("|"):
            if cur is not None and cur[2] is not None and not line.startswith("|"):
                cur = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cur[2] is None:
            cur[2] = cells
        elif not all(re.match(r"^:?-+:?$", c) for c in cells):
            cur[3].append(cells)
    return sections


def value(cell):
    """a number, "fail" or None (no data, n/a)"""
    if cell.startswith("fail"):
        return "fail"
    m = re.match(r"^[≥\s]*([0-9]+(?:\.[0-9]+)?)", cell)
    return float(m.group(1)) if m else None


def color(tool, seen):
    if tool not in COLORS:
        COLORS[tool] = OTHER[len(seen) % len(OTHER)]
        seen.append(tool)
    return COLORS[tool]


def ticks(lo, hi, log):
    if log:
        out, e = [], math.floor(math.log10(lo))
        mults = (1, 2, 5) if math.log10(hi / lo) <= 3.01 else (1,)
        while 10 ** e <= hi * 1.0001:
            for m in mults:
                if lo <= m * 10 ** e <= hi:
                    out.append(m * 10 ** e)
            e += 1
        return out
    step = 10 ** math.floor(math.log10(hi / 4))
    for m in (1, 2, 5, 10):
        if hi / (m * step) <= 6:
            step *= m
            break
    return [k * step for k in range(int(hi / step) + 1)]


def num(v):
    return "%.0f" % v if v >= 10 else ("%.1f" % v).rstrip("0").rstrip(".")


def panel(out, y0, spec, sec, other_colors):
    fid, col, gcols, log, refs, ylabel = spec
    title, run, header, rows = sec
    if header is None or col not in header or "tool" not in header:
        return y0
    vi, ti = header.index(col), header.index("tool")
    gi = [header.index(g) for g in gcols if g in header]
    groups, tools, data = [], [], {}
    for r in rows:
        if len(r) != len(header):
            continue
        v = value(r[vi])
        # a tool that failed has "fail (reason)" in its first value
        # column and the ratio columns empty
        failed = [c for c in r if c.startswith("fail")]
        if v is None and failed:
            v, r = "fail", r[:vi] + [failed[0]] + r[vi + 1:]
        if v is None:
            continue
        g = " ".join(("N=" + r[i]) if header[i] == "N" else r[i] for i in gi)
        if g not in groups:
            groups.append(g)
        if r[ti] not in tools:
            tools.append(r[ti])
        data[(g, r[ti])] = (v, r[vi])
    nums = [v for v, _ in data.values() if v != "fail" and (v > 0 or not log)]
    if not data:
        return y0
    refv = [r[0] for r in refs]
    if log:
        lo = 10 ** math.floor(math.log10(min(nums + refv) * 0.9))
        # room above the tallest bar for its label
        hi = 10 ** math.ceil(math.log10(max(nums + refv) * 4))
    else:
        lo, hi = 0.0, max(nums + refv) * 1.12
    pw, x0, top = W - LEFT - RIGHT, LEFT, y0 + 50

    def ypos(v):
        if log:
            v = max(v, lo)
            return top + PH - PH * (math.log10(v) - math.log10(lo)) / \
                (math.log10(hi) - math.log10(lo))
        return top + PH - PH * v / hi
    out.append('<text x="%d" y="%d" class="t">Figure %s: %s</text>' %
               (x0, y0 + 14, fid, escape(title[:110])))
    out.append('<text x="%d" y="%d" class="s">%s%s · run %s</text>' %
               (x0, y0 + 27, escape(ylabel), " (log scale)" if log else "",
                escape(run or "?")))
    # legend, right-aligned under the title
    lx = x0 + pw
    for t in reversed(tools):
        lx -= 12 + 6.2 * len(t) + 14
        out.append('<rect x="%.0f" y="%d" width="10" height="10" fill="%s"/>'
                   '<text x="%.0f" y="%d" class="l">%s</text>' %
                   (lx, y0 + 33, color(t, other_colors), lx + 13, y0 + 42, escape(t)))
    for tv in ticks(lo, hi, log):
        y = ypos(tv)
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="g"/>'
                   '<text x="%d" y="%.1f" class="a" text-anchor="end">%s</text>' %
                   (x0, x0 + pw, y, y, x0 - 4, y + 3, num(tv)))
    gw = pw / len(groups)
    bw = min(22.0, gw * 0.84 / len(tools))
    for k, g in enumerate(groups):
        gx = x0 + k * gw + (gw - bw * len(tools)) / 2
        out.append('<text x="%.1f" y="%d" class="a" text-anchor="middle">%s</text>' %
                   (x0 + (k + 0.5) * gw, top + PH + 13, escape(g)))
        for j, t in enumerate(tools):
            if (g, t) not in data:
                continue
            v, raw = data[(g, t)]
            bx = gx + j * bw
            tip = escape("%s, %s: %s" % (g or fid, t, raw))
            if v == "fail":
                out.append('<text x="%.1f" y="%d" class="f" text-anchor="middle">'
                           '✗<title>%s</title></text>' % (bx + bw / 2, top + PH - 3, tip))
                continue
            y = ypos(v)
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">'
                       '<title>%s</title></rect>' %
                       (bx + 0.5, y, bw - 1, top + PH - y, color(t, other_colors), tip))
            out.append('<text transform="translate(%.1f,%.1f) rotate(-90)" class="v">%s%s</text>' %
                       (bx + bw / 2 + 3, y - 2, "≥" if raw.startswith("≥") else "", num(v)))
    for k, (v, label) in enumerate(refs):
        if lo <= v <= hi:
            y = ypos(v)
            out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="r"/>'
                       '<text x="%d" y="%.1f" class="rl">%s</text>' %
                       (x0, x0 + pw, y, y, x0 + pw + 4, y + 3 - 5 * k, escape(label)))
    out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" class="ax"/>' %
               (x0, x0 + pw, top + PH, top + PH))
    return top + PH + 26


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: chart.py RESULTS.md > results.svg\n")
        sys.exit(2)
    try:
        sections = parse(sys.argv[1])
    except OSError as e:
        sys.stderr.write("chart.py: %s\n" % e)
        sys.exit(1)
    body, y, seen = [], 8, []
    for spec in PANELS:
        if spec[0] in sections:
            y = panel(body, y, spec, sections[spec[0]], seen)
    if not body:
        sys.stderr.write("chart.py: %s: no figure with a ratio column\n" % sys.argv[1])
        sys.exit(1)
    print('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
          'viewBox="0 0 %d %d" font-family="DejaVu Sans, Verdana, sans-serif">' %
          (W, y, W, y))
    print('<style>.t{font-size:13px;font-weight:bold}.s{font-size:10px;fill:#555}'
          '.l{font-size:10px}.a{font-size:9px;fill:#444}.v{font-size:8px;fill:#222}'
          '.g{stroke:#e4e4e4}.ax{stroke:#888}.r{stroke:#c00;stroke-dasharray:4 3}'
          '.rl{font-size:9px;fill:#c00}.f{font-size:12px;fill:#c00;font-weight:bold}'
          '</style><rect width="100%" height="100%" fill="white"/>')
    print("\n".join(body))
    print("</svg>")


if __name__ == "__main__":
    main()
