"""CloudWatch Logs clients: making one (boto3's configuration, adaptive retries), listing log
groups, and the cache namespace of a group (which account and region its events come from).
API: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html
"""
from __future__ import annotations

import os

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.sources.cloudwatch import cache as cwcache
from lexlens.analytics.sources.cloudwatch.errors import explain_error

MAX_WORKERS = 8


def make_logs_client(region=None, profile=None, endpoint_url=None, max_workers=MAX_WORKERS):
    """A boto3 CloudWatch Logs client with adaptive retries.

    Standard boto3 configuration applies untouched (AWS_PROFILE, AWS_DEFAULT_REGION,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, shared config/credentials, AWS_MAX_ATTEMPTS, AWS_RETRY_MODE);
    each argument overrides only when given. A region or endpoint boto3 cannot use is a
    LexlensError (the dashboard passes what a visitor typed).
    """
    import boto3
    import botocore.exceptions
    from botocore.config import Config

    from lexlens.analytics.aws import client_error

    try:
        session = boto3.session.Session(profile_name=profile, region_name=region)
        # Respect AWS_RETRY_MODE / AWS_MAX_ATTEMPTS and the profile's retry settings; botocore
        # reports its own default ("standard") when none is set, so look at the sources directly.
        core = session._session
        scoped = core.get_scoped_config()
        retries = {"mode": os.environ.get("AWS_RETRY_MODE") or scoped.get("retry_mode") or "adaptive",
                   # AWS_MAX_ATTEMPTS counts the first try too: botocore's total_max_attempts
                   "total_max_attempts": int(os.environ.get("AWS_MAX_ATTEMPTS") or scoped.get("max_attempts") or 8)}
        config = Config(retries=retries, max_pool_connections=max(10, max_workers + 2),
                        connect_timeout=10, read_timeout=60)
        return session.client("logs", config=config, **({"endpoint_url": endpoint_url} if endpoint_url else {}))
    except botocore.exceptions.ProfileNotFound:
        name = profile or os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE")
        raise LexlensError(f"The AWS profile {name!r} is not in your AWS config or credentials files.") from None
    except (botocore.exceptions.NoRegionError, botocore.exceptions.InvalidRegionError, ValueError) as error:
        raise client_error(error, region, endpoint_url) from None


def list_log_groups(client, prefix: str = "", limit: int = 1000) -> list[str]:
    """Names of the log groups starting with ``prefix`` (DescribeLogGroups), sorted."""
    params = {"logGroupNamePrefix": prefix} if prefix else {}
    names: list[str] = []
    try:
        for page in client.get_paginator("describe_log_groups").paginate(**params):
            names.extend(group["logGroupName"] for group in page.get("logGroups", []))
            if len(names) >= limit:
                break
    except Exception as error:  # noqa: BLE001 - explained or re-raised below
        raise explain_error(error, client, prefix or "*") from None
    return sorted(names)[:limit]



def resolve_namespace(client, log_group: str, filter_pattern: str) -> cwcache.Namespace:
    """The cache namespace of a log group; raises LexlensError if the group does not exist.

    The account comes from the group's ARN (DescribeLogGroups) so two accounts never share
    a cache folder; without that permission the access key id's hash stands in.
    """
    import hashlib

    account = ""
    try:
        for page in client.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=log_group):
            match = next((g for g in page.get("logGroups", []) if g["logGroupName"] == log_group), None)
            if match:
                account = (match.get("arn") or "").split(":")[4] if match.get("arn", "").count(":") >= 4 else "?"
                break
        else:
            raise LexlensError(f"The log group {log_group!r} does not exist in region {client.meta.region_name}.")
    except LexlensError:
        raise
    except Exception as error:  # noqa: BLE001
        code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
        if "AccessDenied" not in code:
            raise explain_error(error, client, log_group) from None
        # No DescribeLogGroups permission: the (public) access key id, hashed, stands for the account.
        credentials = getattr(getattr(client, "_request_signer", None), "_credentials", None)
        key_id = getattr(credentials, "access_key", "") or ""
        account = "key-" + hashlib.sha256(key_id.encode()).hexdigest()[:12]
    return cwcache.Namespace(log_group, client.meta.region_name or "", client.meta.endpoint_url or "",
                             account, filter_pattern)
