"""The AWS options every command shares (``--region``, ``--endpoint-url``), checked before
any client is made, and the one sentence for a client that cannot be made.

boto3 reads the region from ``--region``, else ``AWS_DEFAULT_REGION``, else the profile's
``region`` (botocore's configuration chain; it does not read ``AWS_REGION``):
https://boto3.amazonaws.com/v1/documentation/api/latest/guide/configuration.html
"""
from __future__ import annotations

import argparse
import re
from urllib.parse import urlsplit

from lexlens.analytics.errors import LexlensError

# botocore's own check of a region name (botocore.utils.validate_region_name)
REGION_NAME = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?$")
NO_REGION = ("No AWS region is set: pass --region, set AWS_DEFAULT_REGION, or give your AWS "
             "profile a region (aws configure set region us-east-1).")


def region_name(text: str) -> str:
    """An argparse type: ``text`` if it can be an AWS region name."""
    if not REGION_NAME.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an AWS region name (such as us-east-1)")
    return text


def endpoint_url(text: str) -> str:
    """An argparse type: ``text`` if it is an http(s) URL with a host."""
    problem = describe_bad_endpoint(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def describe_bad_endpoint(text: str) -> str:
    """Why ``text`` is not an endpoint URL, or ''."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        return f"{text!r} is not a URL ({error})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{text!r} is not an http:// or https:// URL with a host"
    return ""


def client_error(error: Exception, region, endpoint) -> LexlensError:
    """The sentence for a client boto3 could not make from ``region`` and ``endpoint``."""
    import botocore.exceptions as bx

    if isinstance(error, bx.NoRegionError):
        return LexlensError(NO_REGION, exit_code=2)
    if isinstance(error, bx.InvalidRegionError):
        return LexlensError(f"{region!r} is not an AWS region name (such as us-east-1).", exit_code=2)
    problem = describe_bad_endpoint(endpoint) if endpoint else ""
    return LexlensError(f"Cannot make an AWS client: {problem or error}.", exit_code=2)
