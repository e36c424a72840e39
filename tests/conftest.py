"""Shared fixtures for every test module.

Every lexlens process a test starts uses a throwaway store (LEXLENS_STORE_DIR).

- ``moto_server``, ``aws_env``, ``logs_client`` (tests/moto_server.py): a real moto server over
  HTTP, the one AWS environment pointing boto3 at it (fake credentials, the standard
  ``AWS_ENDPOINT_URL_*`` variables, the user's own AWS files hidden), and a Logs client;
- ``insights_server``, ``insights``, ``insights_client`` (tests/insights_standin.py): the Logs
  Insights stand-in over HTTP; ``sample``, ``seven`` (tests/insights_samples.py): log groups
  for it.

Test data comes from one builder, tests/lex_records.py (records and CloudWatch events).
"""
pytest_plugins = ["moto_server", "insights_standin", "insights_samples"]

import os
import tempfile

# Every test (and every lexlens process a test starts) keeps its parsed tables in a store of
# its own, never in the user's cache: a test that needs a particular store names it.
os.environ.setdefault("LEXLENS_STORE_DIR", tempfile.mkdtemp(prefix="lexlens-test-store-"))
