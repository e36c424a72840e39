"""The cache namespace of a log group when DescribeLogGroups is denied: the access key id that
signed the request (read from its Signature Version 4 Authorization header, through botocore's
public event system) stands for the account, so two identities never share a cache folder.
A small HTTP server stands in for CloudWatch Logs here: moto cannot deny a call."""
from __future__ import annotations

import hashlib
import http.server
import json
import threading

import pytest

from lexlens.analytics.sources.cloudwatch import make_logs_client
from lexlens.analytics.sources.cloudwatch.client import resolve_namespace


class DenyingLogs(http.server.BaseHTTPRequestHandler):
    """Answers every call as CloudWatch Logs does without permission (JSON 1.1 protocol)."""

    seen_authorization: list[str] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        DenyingLogs.seen_authorization.append(self.headers.get("Authorization", ""))
        body = json.dumps({"__type": "AccessDeniedException", "message": "not authorized"}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def denying_endpoint():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), DenyingLogs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("key_id", ["AKIAEXAMPLEKEY000001", "AKIAEXAMPLEKEY000002"])
def test_a_denied_describe_names_the_cache_after_the_signing_key(key_id, denying_endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = make_logs_client(region="eu-west-1", endpoint_url=denying_endpoint)
    namespace = resolve_namespace(client, "/aws/lex/bot", "")
    assert f"Credential={key_id}/" in DenyingLogs.seen_authorization[-1]  # what was really sent
    assert namespace.account == "key-" + hashlib.sha256(key_id.encode()).hexdigest()[:12]
    assert key_id not in namespace.account  # the key id itself is not written into folder names

