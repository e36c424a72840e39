"""``lexlens add-utterances``: add (missed) utterances to an intent of a bot's DRAFT (issue 5).

Dry run by default: prints the plan (utterance, action, reason) and calls no
write API. ``--apply`` writes, ``--build`` builds the DRAFT locale afterwards.
Exit codes: 0 done or dry run, 1 refused by validation (nothing written),
2 AWS error (unknown bot/intent, missing permission, concurrent edit, failed build).
"""
from __future__ import annotations

import argparse
import sys

from lexlens.analytics.aws import endpoint_url, region_name
from lexlens.analytics.cli.option_types import given_source, positive_int, timeout_seconds
from lexlens.analytics.errors import LexlensError

BUILD_POLL_S = 10.0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "add-utterances",
        help="add utterances (e.g. missed ones) as sample utterances of an intent in DRAFT",
        description="Plan adding sample utterances to one intent of a Lex V2 bot's DRAFT; with "
                    "--apply write them, with --build rebuild the locale. Without --apply nothing "
                    "is written.",
    )
    parser.add_argument("--bot-id", required=True, help="the bot's id (10 characters)")
    parser.add_argument("--locale", required=True, help="locale id, e.g. en_US")
    parser.add_argument("--intent", required=True, metavar="NAME_OR_ID",
                        help="target intent, by name or id")
    parser.add_argument("--utterance", action="append", default=[], metavar="TEXT",
                        help="an utterance to add (repeatable)")
    parser.add_argument("--from-missed", nargs="+", default=[], type=given_source, metavar="SOURCE",
                        help="log files or folders: take this bot's and locale's most frequent "
                             "missed utterances as candidates")
    parser.add_argument("--missed-log-group", action="append", default=[], metavar="NAME",
                        help="also take missed utterances from this CloudWatch Logs group "
                             "(repeatable; same --region/--profile; the CloudWatch endpoint comes "
                             "from boto3's configuration, e.g. AWS_ENDPOINT_URL_CLOUDWATCH_LOGS)")
    parser.add_argument("--missed-since", default="7d", metavar="T",
                        help="with --missed-log-group: start of the window, ISO 8601 or an age (7d)")
    parser.add_argument("--missed-until", metavar="T",
                        help="with --missed-log-group: end of the window (default now)")
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="with --missed-log-group: where pulled events are cached")
    parser.add_argument("--min-count", type=positive_int, default=1, metavar="N",
                        help="with --from-missed: only utterances missed at least N times (1)")
    parser.add_argument("--top", type=positive_int, default=20, metavar="N",
                        help="with --from-missed: at most the N most frequent (20)")
    parser.add_argument("--apply", action="store_true", help="write the plan to DRAFT")
    parser.add_argument("--build", action="store_true",
                        help="after --apply, build the DRAFT locale and wait for the result")
    parser.add_argument("--build-timeout", type=timeout_seconds, default=600.0, metavar="SECONDS",
                        help="how long --build waits (600)")
    parser.add_argument("--region", type=region_name,
                        help="AWS region (default: AWS_DEFAULT_REGION or the profile's region)")
    parser.add_argument("--profile", help="AWS profile name")
    parser.add_argument("--endpoint-url", type=endpoint_url, help="Lex models endpoint (default: standard "
                                               "configuration, incl. AWS_ENDPOINT_URL_LEX_MODELS_V2)")
    parser.add_argument("--audit-log", metavar="PATH",
                        help="JSON-lines audit log of applied changes (default: "
                             "<user data dir>/lexlens/audit.jsonl)")
    from lexlens.analytics.cli.options import add_exclusion_arguments

    add_exclusion_arguments(parser.add_argument_group("test traffic left out of --from-missed"))
    from lexlens.analytics.cli.store_options import add_store_arguments

    add_store_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from lexlens.analytics import writer
    from lexlens.analytics.writer.rules import Candidate, render_plan_table

    if "-" in args.locale:
        raise LexlensError(f"Lex V2 locale ids use an underscore, e.g. "
                           f"{args.locale.replace('-', '_')} rather than {args.locale}.", 2)
    candidates = [Candidate(text) for text in args.utterance]
    pulled = pull_missed_log_groups(args)
    sources = list(args.from_missed) + pulled
    if sources:
        from lexlens.analytics.cli.store_options import store_from_args

        candidates += load_missed_candidates(sources, args.bot_id, args.locale, args.top, args.min_count,
                                             exclusions_from_args(args), store_from_args(args))
    elif not candidates:
        raise LexlensError("Give at least one --utterance TEXT or --from-missed SOURCE.", 2)
    client = writer.make_client(region=args.region, profile=args.profile,
                                endpoint_url=args.endpoint_url)
    plan = writer.plan_utterances(client, args.bot_id, args.locale, args.intent, candidates,
                                  progress=_progress)
    print(f"Plan for intent {plan.target.name} ({plan.target.intent_id}), bot {plan.bot_id}, "
          f"locale {plan.locale_id}, version DRAFT:")
    print(render_plan_table(plan.rows) if plan.rows else "(no candidate utterances)")
    print(_summary(plan.rows))
    refusal = None
    if plan.refused:
        refused = sum(row.action == "refuse" for row in plan.rows)
        refusal = plan.target_refusal or f"{refused} utterance(s) break Lex's sample-utterance rules"
    if not args.apply:
        # issue 5: a dry run calls no write API and exits 0; it says what --apply would do
        print("Dry run: nothing was written; "
              + (f"--apply would be refused ({refusal})." if refusal else
                 "add --apply to write the plan to DRAFT"
                 + (" (--build only runs after --apply)." if args.build else ".")))
        return 0
    if refusal:
        raise LexlensError(f"Refused: {refusal}; nothing was written.", exit_code=1)
    result = writer.apply_plan(client, plan)
    _report_apply(writer, args, client, plan, result)
    if args.build:
        _build(writer, client, args)
    return 0


def pull_missed_log_groups(args) -> list:
    """The cached window files of ``--missed-log-group`` (none without it), filtered to this
    bot and locale in the FilterLogEvents pattern."""
    if not args.missed_log_group:
        return []
    from lexlens.analytics.cli.cloudwatch_options import load_from_args

    pull = argparse.Namespace(log_group=args.missed_log_group, region=args.region,
                              profile=args.profile, endpoint_url=None, cache_dir=args.cache_dir,
                              since=args.missed_since, until=args.missed_until,
                              bot_id=[args.bot_id], locale=[args.locale])
    return load_from_args(pull)


def exclusions_from_args(args):
    """The Filters of the --exclude-* options (test traffic's misses are not the users')."""
    from lexlens.analytics.filters import Filters

    return Filters(exclude_aliases=tuple(args.exclude_alias), exclude_versions=tuple(args.exclude_version),
                   exclude_attributes=tuple(args.exclude_attribute))


def load_missed_candidates(sources, bot_id, locale, top, min_count, exclusions=None, store=None):
    """This bot's and locale's most frequent missed utterances, with counts, as Candidates;
    ``exclusions``: a Filters of test traffic to leave out; ``store``: the store to load
    through (analytics.store), None for none."""
    from lexlens.analytics.filters import apply_filters
    from lexlens.analytics.metrics.utterances import top_utterances
    from lexlens.analytics.store.loader import load_logs_stored
    from lexlens.analytics.writer.rules import Candidate

    data, _ = load_logs_stored(list(sources), store)
    turns = (data if exclusions is None else apply_filters(data, exclusions)).turns
    mine = turns[(turns["bot_id"].astype(str) == bot_id) & (turns["locale"].astype(str) == locale)]
    others = int(turns["missed"].sum()) - int(mine["missed"].sum())
    if others:
        print(f"Note: {others} missed utterance(s) in the logs belong to other bots or locales "
              "and were left out.", file=sys.stderr)
    table = top_utterances(mine, top, missed_only=True)
    table = table[table["count"] >= min_count]
    return [Candidate(str(text), int(count)) for text, count in
            zip(table["utterance"], table["count"])]


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\rReading intents {done}/{total}", end=end, file=sys.stderr, flush=True)


def _summary(rows) -> str:
    counts = {action: sum(row.action == action for row in rows) for action in ("add", "skip", "refuse")}
    return f"{counts['add']} to add, {counts['skip']} skipped, {counts['refuse']} refused."


def _report_apply(writer, args, client, plan, result) -> None:
    if not result.written:
        print("Nothing to add; the intent was left unchanged.")
        return
    print(f"Added {len(result.added)} sample utterance(s) to intent {result.intent_name} in DRAFT.")
    if result.dropped_fields:
        print("Warning: DescribeIntent returned fields UpdateIntent does not accept: "
              + ", ".join(result.dropped_fields), file=sys.stderr)
    path = args.audit_log or writer.default_audit_path()
    writer.audit_applied(path, plan, result, sts_client=_sts_client(writer, args),
                         region=getattr(client.meta, "region_name", None))
    print(f"Audit line appended to {path}.")


def _sts_client(writer, args):
    try:
        return writer.make_client("sts", region=args.region, profile=args.profile)
    except Exception:  # the identity is optional in the audit line
        return None


def _build(writer, client, args) -> None:
    from lexlens.analytics.text.visible import show_visible

    print(f"Building locale {args.locale} of bot {args.bot_id} (DRAFT)...")
    result = writer.build_locale(client, args.bot_id, args.locale, timeout_s=args.build_timeout,
                                 poll_s=BUILD_POLL_S)
    if result.timed_out:
        raise LexlensError(f"The DRAFT build of locale {args.locale} did not finish within "
                           f"{args.build_timeout:g} s (status {result.status}).", exit_code=2)
    if not result.ok:
        for reason in result.failure_reasons:
            print(f"  {show_visible(reason)}", file=sys.stderr)
        listed = "; Lex's reasons are listed above" if result.failure_reasons else ""
        raise LexlensError(f"The DRAFT build of locale {args.locale} failed (status "
                           f"{result.status}){listed}.", exit_code=2)
    print(f"Build finished: {result.status} after {result.elapsed_s:.0f} s.")
    if result.status == "ReadyExpressTesting":
        print("The locale is ready for express testing; Lex continues the full build.")
