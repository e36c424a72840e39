"""CloudWatch Logs clients: making one (boto3's configuration, adaptive retries), listing log
groups, and the cache namespace of a group (which account and region its events come from).
API: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html
"""
from __future__ import annotations

import functools
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
    import botocore.session
    from botocore.config import Config

    from lexlens.analytics.aws import client_error

    try:
        core = botocore.session.Session(profile=profile)
        session = boto3.session.Session(botocore_session=core, region_name=region)
        # Respect AWS_RETRY_MODE / AWS_MAX_ATTEMPTS and the profile's retry settings; botocore
        # reports its own default ("standard") when none is set, so look at the sources directly.
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
    signed_by: list[str] = []  # the access key id of the DescribeLogGroups requests, from their signature
    remember = functools.partial(remember_key_id, signed_by)
    client.meta.events.register("before-send.logs.DescribeLogGroups", remember)
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
        key_id = signed_by[-1] if signed_by else ""
        account = "key-" + hashlib.sha256(key_id.encode()).hexdigest()[:12]
    finally:
        client.meta.events.unregister("before-send.logs.DescribeLogGroups", remember)
    return cwcache.Namespace(log_group, client.meta.region_name or "", client.meta.endpoint_url or "",
                             account, filter_pattern)



def remember_key_id(into: list[str], request, **_) -> None:
    """A botocore ``before-send`` handler (bind ``into`` with functools.partial): appends the
    request's access key id, the ``Credential=<key id>/<date>/...`` part of its Signature Version 4
    Authorization header (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html),
    read from what was sent through botocore's public event system."""
    header = request.headers.get("Authorization") or b""
    text = header.decode("ascii", "replace") if isinstance(header, bytes) else str(header)
    credential = text.partition("Credential=")[2]
    if credential:
        into.append(credential.partition("/")[0])
