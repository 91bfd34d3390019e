"""Benchmarks of the collection: what a learner on a small classroom server waits for.

``make bench`` runs this script. It measures, on this machine:

- each notebook: wall time from a fresh kernel to the end of its last cell, the
  same for its *import floor* (a notebook holding only its import statements),
  their ratio, and the kernel's peak memory (VmHWM);
- each explorer: update latency (median, 95th percentile) over at least 20
  handler calls with varied settings, in a fresh kernel;
- tokenizer overhead: ``token_economy.tokens`` counting a corpus against
  tiktoken's batch encoder called directly;
- the time of ``make book``.

It prints a table, writes the figures to ``.bench/results.json`` and, with
``--update-readme``, puts the table between the README's bench markers. Every
figure is marked pass or FAIL against its target. Benchmarks are not part of
the pass/fail test suite: timings depend on the machine.

    python tests/bench/run.py                    # everything (a few minutes)
    python tests/bench/run.py --repeat 1 --skip book
    python tests/bench/run.py --only 00_ --update-readme
    python tests/bench/run.py --report-only --update-readme --note "..."   # re-render the last results
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import nbformat  # noqa: E402

import explorers as explorer_bench  # noqa: E402
import nbrun  # noqa: E402

RESULTS = ROOT / ".bench" / "results.json"
README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
MB = 1e6

#: Targets from the collection's quality brief.
TARGETS = {
    "notebook_seconds": 10.0,        # each notebook from a fresh kernel
    "notebook_floor_ratio": 2.0,     # at most twice the time of its own imports
    "kernel_peak_mb": 300.0,         # MB = 10^6 bytes
    "explorer_median_ms": 100.0,
    "tokenizer_ratio": 1.1,          # our counting vs tiktoken's batch encoder
}


# --- machine -----------------------------------------------------------------
def machine() -> dict:
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    commit = _git("rev-parse", "--short", "HEAD")
    if commit and _git("status", "--porcelain", "--untracked-files=no"):
        commit += " + uncommitted changes"
    return {
        "cores": usable,
        "memory_bytes": mem,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "date": dt.date.today().isoformat(),
        "commit": commit,
    }


def _git(*args) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


# --- notebooks -----------------------------------------------------------------
def notebooks(only: list[str]) -> list[Path]:
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return [p for p in paths if not only or any(o in p.name for o in only)]


def bench_notebook(path: Path, repeat: int) -> dict:
    """Median over ``repeat`` fresh-kernel runs of the notebook and of its import floor."""
    nb = nbformat.read(path, as_version=4)
    floor = nbrun.import_floor(nb)
    row = {"notebook": path.stem, "runs": repeat, "imports": len(nbrun.imports_of(nb))}
    times, floor_times, peaks, floor_peaks = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="te-bench-") as cwd:
        for _ in range(repeat):
            try:
                ran, seconds = nbrun.execute(nbrun.with_peak_memory_cell(nb), Path(cwd))
            except Exception as exc:  # noqa: BLE001 - report and go on with the other notebooks
                row["error"] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:300]}"
                return row
            times.append(seconds)
            peaks.append(nbrun.peak_memory(ran))
            ran, seconds = nbrun.execute(nbrun.with_peak_memory_cell(floor), Path(cwd))
            floor_times.append(seconds)
            floor_peaks.append(nbrun.peak_memory(ran))
    row.update(
        seconds=statistics.median(times), all_seconds=times,
        floor_seconds=statistics.median(floor_times), all_floor_seconds=floor_times,
        peak_rss_bytes=max(p for p in peaks if p) if any(peaks) else None,
        floor_peak_rss_bytes=max(p for p in floor_peaks if p) if any(floor_peaks) else None,
    )
    row["ratio"] = row["seconds"] / row["floor_seconds"]
    return row


# --- tokenizer -------------------------------------------------------------------
def corpus() -> tuple[list[str], str]:
    """Texts to count: ``data/parallel_corpus.csv`` (column ``text``), else the seed articles' paragraphs."""
    table = ROOT / "data" / "parallel_corpus.csv"
    if table.is_file():
        with table.open(newline="", encoding="utf-8") as f:
            texts = [row["text"] for row in csv.DictReader(f) if row.get("text")]
        if texts:
            return texts, "data/parallel_corpus.csv"
    seeds = sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
    texts = [p.strip() for s in seeds for p in s.read_text(encoding="utf-8").split("\n") if p.strip()]
    return texts, "the two seed articles, one text per paragraph (data/parallel_corpus.csv not present yet)"


def _time(fn, number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def bench_tokenizer(rounds: int = 15) -> dict:
    import tiktoken

    from token_economy import tokens

    texts, where = corpus()
    if not texts:
        return {"error": "no corpus found: neither data/parallel_corpus.csv nor the seed articles"}
    name = "o200k_base"
    enc = tiktoken.get_encoding(name)
    cached = getattr(tokens, "_encode_cached", None)

    def direct_batch():
        return [len(ids) for ids in enc.encode_ordinary_batch(texts, num_threads=2)]

    def direct_each():
        return [len(enc.encode_ordinary(t)) for t in texts]

    def count_many():
        return tokens.count_many(texts, name)

    def count_tokens_each():
        if cached is not None:
            cached.cache_clear()  # a corpus counted for the first time: no cache hits
        return [tokens.count_tokens(t, name) for t in texts]

    methods = {"tiktoken encode_ordinary_batch": direct_batch, "tiktoken encode_ordinary per text": direct_each,
               "tokens.count_many": count_many, "tokens.count_tokens per text": count_tokens_each}
    reference = direct_batch()
    wrong = [label for label, fn in methods.items() if fn() != reference]
    number = max(1, int(0.05 / max(_time(direct_batch, 3), 1e-6)))  # ~50 ms per measurement
    samples = {label: [] for label in methods}
    order = list(methods)
    rng = random.Random(0)
    for _ in range(rounds):
        rng.shuffle(order)  # interleaved, in varying order: drift hits every method alike
        for label in order:
            samples[label].append(_time(methods[label], number))
    ms = {label: statistics.median(v) * 1e3 for label, v in samples.items()}
    base = ms["tiktoken encode_ordinary_batch"]
    return {
        "corpus": where, "texts": len(texts), "characters": sum(map(len, texts)), "tokens": sum(reference),
        "encoding": name, "rounds": rounds, "calls_per_round": number, "ms": ms,
        "ratio_count_many": ms["tokens.count_many"] / base,
        "ratio_count_tokens": ms["tokens.count_tokens per text"] / base,
        "ratio_count_tokens_vs_per_text": ms["tokens.count_tokens per text"] / ms["tiktoken encode_ordinary per text"],
        "different_counts": wrong,
    }


# --- book ---------------------------------------------------------------------------
def bench_book() -> dict:
    """Wall time of ``make book`` as a learner or teacher runs it (whatever the Makefile's book target does)."""
    start = time.perf_counter()
    # --force: a full build, as on a fresh clone (book/build.py otherwise skips an up-to-date site).
    done = subprocess.run(["make", "--no-print-directory", "book", "BOOK_ARGS=--force"], cwd=ROOT,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip().replace(str(ROOT), ".")  # no machine paths in the README
        tail = " | ".join(output.splitlines()[-3:])
        why = "the book target is not ready yet" if "No module named" in output else "make book failed"
        return {"status": "not measured", "reason": f"{why} (exit {done.returncode}): {tail[-300:]}"}
    return {"status": "measured", "seconds": seconds}


# --- report ---------------------------------------------------------------------------
def mark(value, target, fmt="{:.2f}") -> str:
    if value is None:
        return "n/a"
    return f"{fmt.format(value)} {'pass' if value < target else '**FAIL**'}"


def misses(results: dict) -> list[str]:
    """Figures that miss their target, one sentence each, with what the numbers say about why."""
    out = []
    t = TARGETS
    for r in results.get("notebooks", []):
        if "error" in r:
            out.append(f"{r['notebook']} was not measured: it failed to run ({r['error']}).")
            continue
        if r["seconds"] >= t["notebook_seconds"]:
            out.append(f"{r['notebook']} takes {r['seconds']:.1f} s (target {t['notebook_seconds']:.0f} s).")
        if r["ratio"] >= t["notebook_floor_ratio"]:
            out.append(f"{r['notebook']} takes {r['ratio']:.2f}x its import floor ({r['floor_seconds']:.1f} s): "
                       f"{r['seconds'] - r['floor_seconds']:.1f} s are its own computation.")
        if (r.get("peak_rss_bytes") or 0) / MB >= t["kernel_peak_mb"]:
            out.append(f"{r['notebook']}'s kernel peaks at {r['peak_rss_bytes'] / MB:.0f} MB, of which its imports "
                       f"alone take {(r.get('floor_peak_rss_bytes') or 0) / MB:.0f} MB.")
    for r in results.get("explorers", []):
        if "error" in r:
            out.append(f"explorer {r['explorer']} was not measured: {r['error']}")
        elif r["median_ms"] >= t["explorer_median_ms"]:
            out.append(f"explorer {r['explorer']} needs {r['median_ms']:.0f} ms per update (median; "
                       f"{r['compute_median_ms']:.0f} ms of it compute and redraw).")
        elif r.get("unexpected_errors"):
            out.append(f"explorer {r['explorer']} raised unexpected errors: {r['unexpected_errors'][:2]}")
    tok = results.get("tokenizer", {})
    if "error" not in tok and tok:
        if tok["ratio_count_many"] >= t["tokenizer_ratio"]:
            out.append(f"tokens.count_many takes {tok['ratio_count_many']:.2f}x tiktoken's batch encoder.")
        if tok["ratio_count_tokens"] >= t["tokenizer_ratio"]:
            out.append(
                f"tokens.count_tokens, one text at a time, takes {tok['ratio_count_tokens']:.2f}x the batch encoder; "
                f"against tiktoken's own one-text-at-a-time encode_ordinary it takes "
                f"{tok['ratio_count_tokens_vs_per_text']:.2f}x, so the gap is the batch encoder's threads and "
                "single call, not the wrapper: count many texts with count_many.")
        if tok["ratio_count_tokens_vs_per_text"] >= t["tokenizer_ratio"]:
            per_text_us = (tok["ms"]["tokens.count_tokens per text"]
                           - tok["ms"]["tiktoken encode_ordinary per text"]) * 1e3 / tok["texts"]
            out.append(f"tokens.count_tokens takes {tok['ratio_count_tokens_vs_per_text']:.2f}x tiktoken's own "
                       f"encode_ordinary, text by text: about {per_text_us:.1f} microseconds per text for the "
                       "argument checks and the cache that lets an explorer count and draw a text with one encoding.")
        if tok.get("different_counts"):
            out.append(f"counts differ from tiktoken's for: {', '.join(tok['different_counts'])}")
    book = results.get("book", {})
    if book.get("status") != "measured" and book:
        out.append(f"make book: {book['status']} ({book.get('reason', '')}).")
    return out


def table(results: dict) -> str:
    """The results as Markdown (the README section and the terminal print)."""
    m, t = results["machine"], TARGETS
    mem = f"{m['memory_bytes'] / 2**30:.1f} GiB" if m.get("memory_bytes") else "unknown memory"
    lines = [f"Measured on {m['date']}: {m['cores']} cores, {mem}, Python {m['python']}, {m['platform']}"
             f"{', commit ' + m['commit'] if m.get('commit') else ''}. "
             f"Each figure is marked pass or **FAIL** against its target.", ""]
    if results.get("notebooks") is not None:
        lines += [f"**Notebooks** (median of {results['settings']['repeat']} fresh-kernel runs; targets: under "
                  f"{t['notebook_seconds']:.0f} s, under {t['notebook_floor_ratio']:.0f}x the import floor, kernel under "
                  f"{t['kernel_peak_mb']:.0f} MB)", "",
                  "| notebook | run (s) | import floor (s) | ratio | kernel peak (MB) |", "|---|---|---|---|---|"]
        for r in results["notebooks"]:
            if "error" in r:
                lines.append(f"| {r['notebook']} | not measured: {r['error'][:120]} | | | |")
                continue
            peak = r["peak_rss_bytes"] / MB if r.get("peak_rss_bytes") else None
            lines.append(f"| {r['notebook']} | {mark(r['seconds'], t['notebook_seconds'])} | {r['floor_seconds']:.2f} | "
                         f"{mark(r['ratio'], t['notebook_floor_ratio'])} | {mark(peak, t['kernel_peak_mb'], '{:.0f}')} |")
        lines.append("")
    if results.get("explorers") is not None:
        lines += [f"**Explorers** (one handler call per changed control, {results['settings']['updates']}+ updates from "
                  f"`sample_settings` with a seeded rng, fresh kernel each; target: median under "
                  f"{t['explorer_median_ms']:.0f} ms)", "",
                  "| explorer | notebook | updates | median (ms) | 95th pct (ms) | first draw (ms) |",
                  "|---|---|---|---|---|---|"]
        for r in results["explorers"]:
            if "error" in r:
                lines.append(f"| {r['explorer']} | {r['notebook']} | not measured: {r['error'][:120]} | | | |")
                continue
            lines.append(f"| {r['explorer']} | {r['notebook']} | {r['updates']} | "
                         f"{mark(r['median_ms'], t['explorer_median_ms'], '{:.1f}')} | {r['p95_ms']:.1f} | "
                         f"{r['first_draw_ms']:.0f} |")
        for module, error in results.get("explorer_import_errors", {}).items():
            lines.append(f"| (module {module}) | | not measured: import failed: {error[:120]} | | | |")
        lines.append("")
    tok = results.get("tokenizer")
    if tok:
        if "error" in tok:
            lines += [f"**Tokenizer overhead**: not measured ({tok['error']})", ""]
        else:
            base = tok["ms"]["tiktoken encode_ordinary_batch"]
            lines += [f"**Tokenizer overhead** ({tok['encoding']}, {tok['texts']} texts, {tok['characters']:,} characters, "
                      f"{tok['tokens']:,} tokens from {tok['corpus']}; median of {tok['rounds']} interleaved rounds; "
                      f"target: under {t['tokenizer_ratio']}x tiktoken's batch encoder)", "",
                      "| method | ms per corpus | vs encode_ordinary_batch |", "|---|---|---|"]
            for label, ms in tok["ms"].items():
                ratio = ms / base
                cell = (mark(ratio, t["tokenizer_ratio"]) if label.startswith("tokens.") else f"{ratio:.2f}")
                lines.append(f"| `{label}` | {ms:.2f} | {cell} |")
            lines += ["", f"`count_tokens` one text at a time vs tiktoken's `encode_ordinary` one text at a time "
                          f"(the wrapper's own overhead): "
                          f"{mark(tok['ratio_count_tokens_vs_per_text'], t['tokenizer_ratio'])}.", ""]
    book = results.get("book")
    if book:
        lines += ["**make book**: " + (f"{book['seconds']:.1f} s" if book.get("status") == "measured"
                                        else f"not measured: {book['reason']}"), ""]
    notes = misses(results)
    lines += ["**Targets missed**: " + ("none." if not notes else "")]
    lines += [f"- {n}" for n in notes]
    if results.get("note"):
        lines += ["", results["note"]]
    return "\n".join(lines).rstrip() + "\n"


def update_readme(markdown: str) -> None:
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} ... {END} markers: add them to the Benchmarks section first")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{markdown}{END}{tail}", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh-kernel runs per notebook (median is reported)")
    parser.add_argument("--updates", type=int, default=25, help="explorer updates measured (at least 20)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", nargs="*", default=[], help="notebooks whose name contains one of these")
    parser.add_argument("--skip", nargs="*", default=[], choices=["notebooks", "explorers", "tokenizer", "book"])
    parser.add_argument("--note", default="", help="a sentence added under the table (e.g. why a target is missed)")
    parser.add_argument("--update-readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--report-only", action="store_true",
                        help="measure nothing: print (and with --update-readme, write) the last results.json again")
    args = parser.parse_args(argv)
    if args.updates < 20:
        parser.error("--updates must be at least 20")
    if args.report_only:
        results = json.loads(RESULTS.read_text())
        if args.note:
            results["note"] = args.note
        markdown = table(results)
        print(markdown)
        if args.update_readme:
            update_readme(markdown)
        return 0

    results = {"machine": machine(), "targets": TARGETS, "note": args.note,
               "settings": {"repeat": args.repeat, "updates": args.updates, "seed": args.seed}}
    if "notebooks" not in args.skip:
        results["notebooks"] = []
        for path in notebooks(args.only):
            print(f"notebook {path.stem} ...", file=sys.stderr, flush=True)
            results["notebooks"].append(bench_notebook(path, args.repeat))
    if "explorers" not in args.skip:
        found, failures = explorer_bench.discover()
        results["explorers"], results["explorer_import_errors"] = [], failures
        for name, cls in found.items():
            if args.only and not any(o in cls.notebook for o in args.only):
                continue
            print(f"explorer {name} ...", file=sys.stderr, flush=True)
            results["explorers"].append(explorer_bench.measure(name, cls.notebook, args.updates, args.seed))
    if "tokenizer" not in args.skip:
        print("tokenizer ...", file=sys.stderr, flush=True)
        results["tokenizer"] = bench_tokenizer()
    if "book" not in args.skip:
        print("make book ...", file=sys.stderr, flush=True)
        results["book"] = bench_book()

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1))
    markdown = table(results)
    print(markdown)
    print(f"(figures written to {RESULTS.relative_to(ROOT)})")
    if args.update_readme:
        update_readme(markdown)
        print("README.md Benchmarks section updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
