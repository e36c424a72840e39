"""Turn boto3/botocore failures into one sentence a person can act on.

Fatal errors (credentials, permissions, unknown group, unreachable endpoint, bad request)
stop a pull at once; anything else (throttling, 5xx, timeouts) is transient: the slice
is retried and finally reported by name. Messages never include credentials: only the
error code, the log group, the region and the endpoint's host.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from lexlens.analytics.errors import LexlensError

DENIED_CODES = {
    "AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "UnrecognizedClientException",
    "InvalidClientTokenId", "ExpiredTokenException", "ExpiredToken", "InvalidSignatureException",
    "SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken",
}
NOT_FOUND_CODES = {"ResourceNotFoundException"}
BAD_REQUEST_CODES = {"InvalidParameterException", "ValidationException", "MalformedQueryException"}


def error_code(error: BaseException) -> str:
    """The AWS error code of a ClientError ('' for other errors)."""
    response = getattr(error, "response", None)
    return (response or {}).get("Error", {}).get("Code", "") if isinstance(response, dict) else ""


def is_fatal(error: BaseException) -> bool:
    """Retrying cannot help: the person must change something first."""
    import botocore.exceptions as bx

    if isinstance(error, LexlensError):  # already a sentence (e.g. the cache cannot be written)
        return True
    if isinstance(error, (bx.NoCredentialsError, bx.PartialCredentialsError, bx.NoRegionError,
                          bx.EndpointConnectionError, bx.ProfileNotFound, bx.ParamValidationError,
                          bx.UnknownEndpointError, bx.InvalidEndpointConfigurationError)):
        return True
    code = error_code(error)
    return code in DENIED_CODES or code in NOT_FOUND_CODES or code in BAD_REQUEST_CODES


def _endpoint(client) -> str:
    parts = urlsplit(getattr(client.meta, "endpoint_url", "") or "")
    return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}" if parts.hostname else "?"


def explain_error(error: BaseException, client, log_group: str) -> LexlensError:
    """A LexlensError (exit code 2) explaining ``error``; unknown errors become a generic sentence."""
    import botocore.exceptions as bx

    region = getattr(client.meta, "region_name", None) or "?"
    code = error_code(error)
    if isinstance(error, LexlensError):
        return error
    if isinstance(error, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        message = ("No AWS credentials were found: run `aws configure`, set AWS_PROFILE or pass --profile.")
    elif isinstance(error, bx.NoRegionError):
        from lexlens.analytics.aws import NO_REGION

        message = NO_REGION
    elif isinstance(error, (bx.EndpointConnectionError, bx.ConnectTimeoutError)):
        message = (f"Cannot reach the CloudWatch Logs endpoint {_endpoint(client)} for region {region}: "
                   "check --region, --endpoint-url and your network.")
    elif code in NOT_FOUND_CODES:
        message = f"The log group {log_group!r} does not exist in region {region} ({_endpoint(client)})."
    elif code in {"UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException",
                  "ExpiredToken", "InvalidSignatureException", "SignatureDoesNotMatch"}:
        message = f"AWS rejected your credentials ({code}): refresh them or pick another --profile."
    elif code in DENIED_CODES:
        message = (f"Access denied to log group {log_group!r} in region {region} ({code}): "
                   "the role needs logs:FilterLogEvents and logs:DescribeLogGroups.")
    elif code in BAD_REQUEST_CODES:
        message = f"CloudWatch Logs rejected the request for log group {log_group!r} ({code})."
    else:
        reason = code or type(error).__name__
        message = f"CloudWatch Logs failed for log group {log_group!r} in region {region} ({reason})."
    return LexlensError(message, exit_code=2)
