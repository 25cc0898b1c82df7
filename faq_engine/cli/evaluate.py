"""``faq-engine eval``: measure search quality on labelled queries.

Prints top-1, MRR@10, recall@5 and hit@5 for each ranking method, how often the top 5
hold a confident match (in-domain queries) or not (out-of-domain queries, whose
``relevant`` list is empty), and the expected calibration error of the best hit's
``match``; ``--reliability FILE.png`` draws its reliability diagram. The work is
:mod:`faq_engine.evaluation`'s.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..evaluation.metrics import MethodScores
from ..evaluation.runner import SHOWN, check_labels, parse_methods, read_queries, score_methods
from ..settings import METHOD_CHOICES, Settings
from ._utils import add_common_options, progress_bar


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``eval`` sub-command to the ``faq-engine`` parser."""
    p = subparsers.add_parser(
        "eval", help="measure search quality (top-1, MRR@10, recall@5, hit@5, confidence, calibration) on "
                     "labelled queries",
        description='Search every query of Q.jsonl (one {"query": ..., "relevant": [FAQ ids]} per line; '
                    '"relevant": [] marks a question no FAQ answers) in SOURCE and score each method.',
    )
    p.add_argument("--faqs", required=True, metavar="SOURCE",
                   help="FAQ set: 'medicare', a file (JSONL of {id, question, answer}, CSV, JSON, Parquet), "
                        "a dataset folder or a Hub dataset id")
    p.add_argument("--queries", required=True, metavar="Q.jsonl", help="labelled queries (JSONL)")
    p.add_argument("--methods", default=",".join(METHOD_CHOICES), metavar="LIST",
                   help="comma-separated methods to score: dense,bm25,hybrid (default: all), or 'default'")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--reliability", metavar="FILE.png",
                   help="also draw the reliability diagram of each method's match (a PNG)")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    add_common_options(p)
    p.set_defaults(func=run)


def format_report(results: dict[str, MethodScores], default: str) -> str:
    """A plain-text table: one row per method; the default method is starred."""
    def cell(x: float | None) -> str:
        return "     -" if x is None else f"{x:6.4f}"

    lines = [f"{'method':<8}  {'top1':>6}  {'MRR@10':>6}  {'rec@5':>6}  {'hit@5':>6}  "
             f"{'confident':>9}  {'OOD rejected':>12}  {'ECE':>6}"]
    for method, s in results.items():
        name = method + ("*" if method == default else "")
        lines.append(f"{name:<8}  {cell(s.top1)}  {cell(s.mrr10)}  {cell(s.recall5)}  {cell(s.hit5)}  "
                     f"{cell(s.in_domain_confident):>9}  {cell(s.ood_rejected):>12}  {cell(s.ece)}")
    lines.append(f"* default method. confident: in-domain queries with a confident match in the top {SHOWN}; "
                 f"OOD rejected: out-of-domain queries shown 'no confident match'; ECE: expected calibration "
                 f"error of the best hit's match (10 bins; out-of-domain queries count as wrong).")
    return "\n".join(lines + _selective_lines(results, cell))


def _selective_lines(results: dict[str, MethodScores], cell) -> list[str]:
    """How far a confident answer can be trusted, and the risk-coverage curve of each method."""
    scored = {m: s.selective for m, s in results.items() if s.selective is not None}
    if not scored:
        return []
    lines = ["", f"{'method':<8}  {'ECE shown':>9}  {'confident right':>15}  {'covers':>6}  risk when answering "
                 "the surest 10%, 20%, ... 100% of the queries"]
    for method, sel in scored.items():
        curve = " ".join(f"{risk:.2f}" for _, risk in sel.curve)
        lines.append(f"{method:<8}  {cell(sel.ece_shown):>9}  {cell(sel.precision):>15}  {cell(sel.coverage):>6}  "
                     f"{curve}")
    lines.append(f"ECE shown: over every hit of the top {SHOWN}; confident right: confident best hits that are right; "
                 "covers: answerable queries given a confident best hit; risk: the share answered wrongly.")
    return lines


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``faq-engine eval``; returns the exit code."""
    from ..embedders.factory import make_embedder
    from ..faqs.loader import load_faqs
    from ..jobs import hub_access

    settings = settings.with_overrides(embedder=args.embedder, api_url=args.api_url, fields=args.fields)
    methods = parse_methods(args.methods, settings.method)
    queries = read_queries(args.queries)
    embedder = make_embedder(settings)
    with progress_bar("Embedding FAQs", not args.no_progress) as progress:
        faqs = load_faqs(args.faqs, embedder, fields=settings.fields, cache_dir=settings.cache_dir,
                         hub=hub_access(settings), progress=progress)
    check_labels(queries, faqs)
    with progress_bar("Embedding queries", not args.no_progress) as progress:
        results = score_methods(faqs, embedder, queries, methods, settings.threshold, progress)
    if args.reliability:
        _draw(args.reliability, results, f"{faqs.name}: {len(queries)} queries, embedded text {faqs.fields}")
    if args.json:
        print(json.dumps({"default": settings.method, **{m: s.to_dict() for m, s in results.items()}}, indent=2))
        return 0
    n_in = sum(q.in_domain for q in queries)
    thresholds = ", ".join(f"{m} {s.threshold:.2f}" for m, s in results.items())
    print(f"FAQs: {faqs.name} ({len(faqs)}, embedded text: {faqs.fields}); queries: {n_in} in domain, "
          f"{len(queries) - n_in} out of domain; confident at a match of: {thresholds}")
    print(format_report(results, settings.method))
    return 0


def _draw(path: str, results: dict[str, MethodScores], title: str) -> None:
    from ..errors import ConfigError
    from ..evaluation.reliability_plot import save

    panels = {method: s.reliability for method, s in results.items() if s.reliability}
    if not panels:
        raise ConfigError("--reliability: no method gave a match to plot (the model has no calibration).")
    curves = {method: s.selective.curve for method, s in results.items() if s.selective is not None}
    try:
        save(path, panels, title, curves)
    except OSError as err:
        raise ConfigError(f"--reliability: cannot write {path}: {err.strerror or err}.") from None
    print(f"Reliability diagram written to {path}", file=sys.stderr)
