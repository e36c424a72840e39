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

import pytest

# Every test (and every lexlens process a test starts) keeps its parsed tables and kept figures
# in a store of its own, never in the user's cache nor another test's (a figure another test
# kept would hide what this one breaks or changes): a test that needs a particular store names it.
os.environ.setdefault("LEXLENS_STORE_DIR", tempfile.mkdtemp(prefix="lexlens-test-store-"))


@pytest.fixture(autouse=True)
def store_of_this_test(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("LEXLENS_STORE_DIR", str(tmp_path_factory.mktemp("store")))
