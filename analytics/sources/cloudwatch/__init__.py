"""Pull Lex conversation logs from a CloudWatch Logs group into the local cache.

Plain functions for the CLI and the dashboard (all take a boto3 ``logs`` client so
tests can hand in one pointed at moto or wrapped in botocore's Stubber):

- ``make_logs_client(region=None, profile=None, endpoint_url=None)``
- ``list_log_groups(client, prefix="") -> list[str]``
- ``pull_log_groups(client, groups, since, until, cache_dir, progress=None, ...) -> PullResult``
- ``write_pull(result, out) -> int``: the window's events to one file, sorted, unique.
- ``cache_status(cache_dir) -> dict`` and ``clear_cache(cache_dir, log_group=None)``.

Errors a person can fix (no credentials, access denied, unknown group, unreachable
endpoint) raise ``LexlensError`` (exit code 2); a slice that still fails after its
retries is returned in ``PullResult.failed_slices`` while the other slices are cached.
API: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
"""
from lexlens.analytics.sources.cloudwatch.cache_admin import cache_status, clear_cache
from lexlens.analytics.sources.cloudwatch.client import MAX_WORKERS, list_log_groups, make_logs_client
from lexlens.analytics.sources.cloudwatch.pattern import match_message, plan_filter_pattern
from lexlens.analytics.sources.cloudwatch.pull import (SLICE_ATTEMPTS, SLICE_HOURS, PullProgress, PullResult,
                                                       SliceFailure, pull_log_groups, write_pull)

__all__ = ["MAX_WORKERS", "SLICE_ATTEMPTS", "SLICE_HOURS", "PullProgress", "PullResult", "SliceFailure",
           "cache_status", "clear_cache", "list_log_groups", "make_logs_client", "match_message",
           "plan_filter_pattern", "pull_log_groups", "write_pull"]
