"""The Lex models client of the writer, and its failures explained in one sentence.

boto3's standard configuration applies untouched: environment, profiles, config
files, and per-service endpoints such as ``AWS_ENDPOINT_URL_LEX_MODELS_V2``.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

from lexlens.analytics.errors import LexlensError
from lexlens.analytics.text.normalise import collapse_spaces

SERVICE = "lexv2-models"
PERMISSIONS = ("lex:ListIntents, lex:DescribeIntent, lex:ListSlots and lex:UpdateIntent "
               "(plus lex:BuildBotLocale and lex:DescribeBotLocale for --build)")


def make_client(service: str = SERVICE, region: str | None = None, profile: str | None = None,
                endpoint_url: str | None = None):
    """A boto3 client from the standard configuration chain (env, profile, config files).

    With ``endpoint_url`` None, boto3 itself honours ``AWS_ENDPOINT_URL_LEX_MODELS_V2``
    and ``AWS_ENDPOINT_URL``.
    """
    import boto3
    import botocore.exceptions as bex

    from lexlens.analytics.aws import client_error

    try:
        session = boto3.session.Session(profile_name=profile, region_name=region)
        return session.client(service, endpoint_url=endpoint_url)
    except bex.ProfileNotFound:
        raise LexlensError(f"The AWS profile {profile!r} is not configured.", exit_code=2) from None
    except (bex.NoRegionError, bex.InvalidRegionError, ValueError) as error:
        raise client_error(error, region, endpoint_url) from None


@contextlib.contextmanager
def explain_aws_errors(client, bot_id: str, locale_id: str) -> Iterator[None]:
    """Turn botocore failures inside the block into one-sentence LexlensErrors (exit 2)."""
    import botocore.exceptions as bex
    from botocore.stub import StubResponseError

    try:
        yield
    except StubResponseError:  # a test's Stubber saw an unexpected call: let the test see it
        raise
    except bex.ClientError as error:
        raise explain_client_error(error, client, bot_id, locale_id) from None
    except bex.NoCredentialsError:
        raise LexlensError("No AWS credentials were found; configure a profile or set "
                           "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.", exit_code=2) from None
    except bex.ParamValidationError as error:
        detail = str(error).splitlines()[-1].strip()
        raise LexlensError(f"Lex would reject the request: {detail}", exit_code=2) from None
    except bex.EndpointConnectionError as error:
        raise LexlensError(f"Could not reach the Lex endpoint {error.kwargs.get('endpoint_url')}.",
                           exit_code=2) from None
    except bex.BotoCoreError as error:
        raise LexlensError(f"AWS call failed: {error}", exit_code=2) from None


def explain_client_error(error, client, bot_id: str, locale_id: str) -> LexlensError:
    """One sentence for a Lex ClientError: unknown bot/locale/intent, missing permission, other."""
    code = error.response.get("Error", {}).get("Code", "")
    operation = getattr(error, "operation_name", "") or "the Lex API"
    region = getattr(getattr(client, "meta", None), "region_name", None) or "the configured region"
    if code == "ResourceNotFoundException":
        return LexlensError(f"Lex has no bot {bot_id} with a DRAFT locale {locale_id} (or no such "
                            f"intent) in {region}; check --bot-id, --locale and --region.", 2)
    if code in ("AccessDeniedException", "AccessDenied", "UnauthorizedOperation"):
        return LexlensError(f"Access denied to lex:{operation} on bot {bot_id}; the AWS identity "
                            f"needs {PERMISSIONS}.", 2)
    if code in ("UnrecognizedClientException", "InvalidSignatureException",
                "ExpiredTokenException", "InvalidClientTokenId"):
        return LexlensError(f"AWS rejected the credentials ({code}); refresh or reconfigure them.", 2)
    message = collapse_spaces(str(error.response.get("Error", {}).get("Message", ""))).rstrip(".")
    return LexlensError(f"Lex refused {operation} ({code or 'error'}): {message or 'no message'}.", 2)
