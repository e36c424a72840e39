"""``lexlens publish``: CloudWatch custom metrics from the logs, each period's value sent exactly once."""
from __future__ import annotations

import argparse
import os
import sys

from lexlens.analytics.cli.option_types import given_path, given_source
from lexlens.analytics.cli.options import (add_filter_arguments, add_outcome_arguments, escalation_from_args,
                                           filters_from_args)
from lexlens.analytics.errors import LexlensError

DESCRIPTION = """Publish CloudWatch custom metrics from Lex V2 conversation logs, in the AWS
reference dashboard's layout (namespace Lex/Activity/{bot_id}/{locale}; CountMessages and
MissedUtterance, without dimensions and by BotAliasName, BotVersion and Intent) plus Sessions,
Conversations, ConversationsFailed, ConversationsDropped and Escalations. Only complete
periods are sent, each exactly once: a ledger records every call, and a run that was killed
checks what CloudWatch received before sending more."""


def period_seconds(text: str) -> int:
    """A period in seconds: a multiple of 60 (CloudWatch's standard resolution) up to a day."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds") from None
    if value < 60 or value > 86_400 or value % 60:
        raise argparse.ArgumentTypeError(f"{value}: give a multiple of 60 seconds from 60 to 86400")
    return value


def add_parser(subparsers) -> None:
    from lexlens.analytics.monitor.namespace import DEFAULT_NAMESPACE, check_namespace_template

    parser = subparsers.add_parser("publish", help="publish CloudWatch custom metrics, each value once",
                                   description=DESCRIPTION)
    parser.add_argument("sources", nargs="*", type=given_source, metavar="SOURCE", help="log files or folders")
    parser.add_argument("--period", type=period_seconds, default=300, metavar="SECONDS",
                        help="length of a period: a multiple of 60 up to 86400 (default 300)")
    parser.add_argument("--namespace", type=check_namespace_template, default=DEFAULT_NAMESPACE, metavar="TEMPLATE",
                        help="namespace per bot and locale (default %(default)s)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be sent; send nothing")
    parser.add_argument("--ledger", type=given_path, metavar="FILE",
                        help="the record of what was sent (default: the user data directory)")
    parser.add_argument("--create-alarms", action="store_true",
                        help="also create example alarms per namespace: missed-utterance rate (metric math), "
                             "traffic drop, and a traffic anomaly alarm (CloudWatch anomaly detection)")
    parser.add_argument("--alarm-action", action="append", default=[], metavar="ARN",
                        help="an action (an SNS topic ARN) for the example alarms (repeatable)")
    add_filter_arguments(parser)
    add_outcome_arguments(parser)
    from lexlens.analytics.cli.cloudwatch_options import add_cloudwatch_arguments

    add_cloudwatch_arguments(parser, window=False)  # the filters' --since and --until bound the pull
    from lexlens.analytics.cli.store_options import add_store_arguments

    add_store_arguments(parser)
    parser.set_defaults(run=run)


def make_metrics_client(region, profile):
    """A boto3 CloudWatch client with botocore's standard retry mode (AWS_RETRY_MODE overrides);
    AWS_ENDPOINT_URL_CLOUDWATCH and the rest of boto3's configuration apply untouched."""
    import boto3
    import botocore.exceptions
    from botocore.config import Config

    from lexlens.analytics.aws import client_error

    try:
        session = boto3.session.Session(profile_name=profile, region_name=region)
        config = Config(retries={"mode": os.environ.get("AWS_RETRY_MODE") or "standard"},
                        connect_timeout=10, read_timeout=60)
        return session, session.client("cloudwatch", config=config)
    except botocore.exceptions.ProfileNotFound:
        raise LexlensError(f"The AWS profile {profile or os.environ.get('AWS_PROFILE')!r} is not in your AWS "
                           "config or credentials files.") from None
    except (botocore.exceptions.NoRegionError, botocore.exceptions.InvalidRegionError, ValueError) as error:
        raise client_error(error, region, None) from None


def describe_destination(session, client) -> str:
    """Where the metrics go: account (sts:GetCallerIdentity), region and endpoint."""
    try:
        account = session.client("sts").get_caller_identity()["Account"]
    except Exception as error:  # noqa: BLE001
        raise explain_metrics_error(error, client) from None
    return f"{account} {client.meta.region_name} {client.meta.endpoint_url}"


def explain_metrics_error(error: Exception, client) -> LexlensError:
    """One sentence for a CloudWatch or STS call that failed."""
    import botocore.exceptions as bx

    if isinstance(error, LexlensError):
        return error
    if isinstance(error, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return LexlensError("No AWS credentials were found: run `aws configure`, set AWS_PROFILE or pass --profile.")
    if isinstance(error, (bx.EndpointConnectionError, bx.ConnectTimeoutError)):
        return LexlensError(f"Cannot reach AWS at {getattr(error, 'kwargs', {}).get('endpoint_url', '?')}: "
                            "check --region, AWS_ENDPOINT_URL_CLOUDWATCH and your network.")
    response = getattr(error, "response", None) or {}
    code = response.get("Error", {}).get("Code") or type(error).__name__
    message = response.get("Error", {}).get("Message") or ""
    return LexlensError(f"CloudWatch refused the request in region {client.meta.region_name} ({code}"
                        f"{': ' + message if message else ''}).")


def run(args) -> int:
    import pandas as pd

    from lexlens.analytics.cli.check import coverage_end, load_window
    from lexlens.analytics.monitor import plan, render_publish
    from lexlens.analytics.monitor.ledger import Ledger, default_ledger_path
    from lexlens.analytics.monitor.periods import complete_until, compute_period_values

    escalation = escalation_from_args(args)
    if args.log_group and not args.since:
        args.since = "14d"  # as far back as CloudWatch accepts data points
    filters = filters_from_args(args)
    now = pd.Timestamp.now(tz="UTC")
    data = load_window(args, filters)
    horizon = coverage_end(args, filters, data, now)
    table = compute_period_values(data, period_s=args.period, idle_timeout_s=args.idle_timeout,
                                  complete_until=complete_until(horizon, args.period, args.idle_timeout),
                                  since=filters.since, escalation=escalation)
    groups = plan.plan_groups(table, args.namespace)
    client = None
    try:
        session, client = make_metrics_client(args.region, args.profile)
        destination = describe_destination(session, client)
    except LexlensError as error:
        if not args.dry_run:
            raise
        destination = None  # a dry run still shows the plan, without knowing what was sent before
        sys.stderr.write(f"lexlens: {error} The plan below ignores what earlier runs sent.\n")
    with Ledger(args.ledger or default_ledger_path()) as ledger:
        state = ledger.state(destination)
        render_publish.check_same_period(state, groups, args.period)
        resolution = None
        if state.uncertain and not args.dry_run:
            from lexlens.analytics.monitor.send import resolve_uncertain

            try:
                resolution = resolve_uncertain(client, ledger, state.uncertain, now)
            except Exception as error:  # noqa: BLE001
                raise explain_metrics_error(error, client) from None
            state = ledger.state(destination)
        uncertain = {key for batch in state.uncertain for key in batch.keys}
        selection = plan.select_groups(groups, now, state.sent, uncertain)
        batches = plan.pack_batches(selection.to_send)
        if args.dry_run:
            sys.stdout.write(render_publish.render_dry_run(batches))
        else:
            from lexlens.analytics.monitor.send import send_batches

            send_batches(client, ledger, batches, destination=destination, period_s=args.period, now=now)
    sys.stdout.write(render_publish.render_summary(selection, batches, resolution, dry_run=args.dry_run,
                                                   complete_until=complete_until(horizon, args.period,
                                                                                 args.idle_timeout)))
    if args.create_alarms:
        create_alarms(client, sorted({group.namespace for group in groups}), args)
    return 0


def create_alarms(client, namespaces: list[str], args) -> None:
    """PutMetricAlarm for the example alarms of each namespace (printed only with --dry-run);
    PutMetricAlarm replaces an alarm of the same name, so running it again changes nothing."""
    from lexlens.analytics.monitor.alarms import describe_alarm, plan_alarms

    verb = "would create" if args.dry_run else "created"
    for request in plan_alarms(namespaces, args.period, args.alarm_action):
        if not args.dry_run:
            try:
                client.put_metric_alarm(**request)
            except Exception as error:  # noqa: BLE001
                raise explain_metrics_error(error, client) from None
        sys.stdout.write(f"{verb} alarm {describe_alarm(request)}\n")
