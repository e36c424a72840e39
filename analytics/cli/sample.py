"""``lexlens sample``: write generated Lex V2 conversation logs in any shape lexlens reads."""
from __future__ import annotations

import argparse
import sys

SHAPES = ("jsonl", "cloudwatch", "export", "filter-log-events")  # analytics.simulator.generate.SHAPES


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "sample",
        help="write realistic sample Lex V2 conversation logs",
        description="Write seeded, realistic Amazon Lex V2 conversation logs (BankerBot and "
                    "PizzaBot traffic). OUT ending in .gz is gzip-compressed.",
    )
    parser.add_argument("out", metavar="OUT", help="file to write (.gz to compress)")
    parser.add_argument("--sessions", type=int, required=True, metavar="N",
                        help="number of sessions to generate (about 4.5 turns each)")
    parser.add_argument("--days", type=int, default=30, metavar="D",
                        help="spread the sessions over the D days before --end (default 30)")
    parser.add_argument("--seed", type=int, default=7, metavar="S",
                        help="random seed: the same seed and --end give the same file (default 7)")
    parser.add_argument("--shape", choices=SHAPES, default="jsonl",
                        help="jsonl: one Lex record per line; cloudwatch: CloudWatch event lines; "
                             "export: CloudWatch S3-export lines; filter-log-events: the JSON "
                             "`aws logs filter-log-events` prints (default jsonl)")
    parser.add_argument("--generative", action="store_true",
                        help="add HelpDeskBot, a generative-era bot (QnAIntent answers, a Bedrock "
                             "agent, assisted NLU, fulfillment updates and other server "
                             "responses), to a fifth of the sessions")
    parser.add_argument("--end", metavar="ISO",
                        help="end of the time range, e.g. 2026-11-20T00:00:00Z "
                             "(default: the current hour, UTC)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from lexlens.analytics.errors import LexlensError
    from lexlens.analytics.simulator.generate import parse_end, write_sample

    if args.sessions < 1:
        raise LexlensError("--sessions must be at least 1.")
    if args.days < 1:
        raise LexlensError("--days must be at least 1.")
    end = parse_end(args.end) if args.end else None
    written = write_sample(args.out, args.sessions, shape=args.shape, days=args.days,
                           seed=args.seed, end=end, generative=args.generative)
    print(f"wrote {written} records from {args.sessions} sessions to {args.out}",
          file=sys.stderr)
    return 0
