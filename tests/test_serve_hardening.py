"""``lexlens serve`` made safe to share (issue 11): the refusal of a network address without
sign-in, the checks of --auth, the console line, the hardened Streamlit settings (shipped in
dashboard/.streamlit/config.toml), error details kept on the server, uploads in a private folder
removed at exit, and the source restrictions in a real browser."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

import lexlens.sample_logs as sample_logs
from lexlens.analytics.cli import main
from lexlens.analytics.cli import serve as serve_command
from lexlens.analytics.cli.serve_access import HARDENED_FLAGS
from lexlens.dashboard.access import REFUSAL, read_access, read_redaction
from lexlens.dashboard.failures import FAILURE
from dashboard_helpers import (chromium_available, free_port, launch_chromium, serving, stop_group,
                               wait_drawn, wait_healthy, write_hostile_log)

ROOT = Path(__file__).resolve().parents[1]
GOOD_AUTH = ('[auth]\nredirect_uri = "http://127.0.0.1:8501/oauth2callback"\ncookie_secret = "s3cr3t-cookie-value"\n'
             'client_id = "id"\nclient_secret = "client-s3cr3t"\n'
             'server_metadata_url = "https://example.invalid/.well-known/openid-configuration"\n')
browser = pytest.mark.skipif(not chromium_available() and not os.environ.get("CI"),
                             reason="Debian's chromium is not installed")


@pytest.fixture
def started(monkeypatch):
    """What ``lexlens serve`` would exec (nothing is started): {command, env}."""
    seen = {}

    def fake_exec(executable, command, env):
        seen.update(command=command, env=env)
        raise SystemExit(0)

    monkeypatch.setattr(os, "execve", fake_exec)
    return seen


def auth_file(tmp_path, text=GOOD_AUTH) -> Path:
    path = tmp_path / "auth.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.com"])
def test_a_network_address_without_auth_is_refused(host, started, capsys):
    assert main(["serve", "--host", host]) == 2
    err = capsys.readouterr().err
    assert "--auth" in err and "--no-auth" in err and err.count("\n") == 1
    assert not started  # nothing was started


@pytest.mark.parametrize("args, said", [
    (["--auth", "{auth}", "--no-auth"], "contradict"),
    (["--auth", "{auth}"], "--allow-user"),
    (["--allow-user", "a@b.example"], "need --auth"),
    (["--writer", "a@b.example"], "need --auth"),
    (["--auth", "{missing}", "--allow-user", "@b.example"], "cannot read"),
    (["--auth", "{bad}", "--allow-user", "@b.example"], "not valid TOML"),
    (["--auth", "{partial}", "--allow-user", "@b.example"], "client_secret, server_metadata_url"),
    (["--data-dir", "{missing}"], "not a folder"),
    (["--redact-slot", "Name"], "need --redact"),
])
def test_bad_sharing_options_are_one_sentence(args, said, tmp_path, started, capsys):
    places = {"auth": auth_file(tmp_path), "missing": tmp_path / "missing",
              "bad": auth_file(tmp_path, "[auth\n"),
              "partial": tmp_path / "partial.toml"}
    places["partial"].write_text('[auth]\nclient_id = "id"\ncookie_secret = "s3cr3t-cookie-value"\n'
                                 'redirect_uri = "http://x/oauth2callback"\n')
    assert main(["serve", *[a.format(**places) for a in args]]) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1 and "s3cr3t" not in err and not started


def test_no_auth_on_a_network_address_warns_and_names_the_address(started, capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--host", "0.0.0.0", "--no-auth", "--port", "8765"])
    err = capsys.readouterr().err
    assert "http://0.0.0.0:8765" in err and "warning" in err and "every network interface" in err
    assert started["command"][started["command"].index("--server.address") + 1] == "0.0.0.0"


def test_loopback_console_line_names_the_real_address(started, capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--port", "8766"])
    err = capsys.readouterr().err
    assert "http://127.0.0.1:8766" in err and "warning" not in err


def test_auth_reaches_streamlit_and_the_app(tmp_path, started, capsys):
    data = tmp_path / "data"
    data.mkdir()
    with pytest.raises(SystemExit):
        main(["serve", "--host", "0.0.0.0", "--auth", str(auth_file(tmp_path)), "--allow-user", "@team.example",
              "--allow-writes", "--data-dir", str(data / ".." / "data"), "--log-group-prefix", "/aws/lex/",
              "--redact", "--redact-slot", "FullName", "--redact-digits", "8"])
    command, env = started["command"], started["env"]
    assert command[command.index("--secrets.files") + 1] == str((tmp_path / "auth.toml").resolve())
    access = read_access(env)
    assert access.auth and access.allowed_users == ("@team.example",) and access.data_dirs == (str(data.resolve()),)
    assert access.log_group_prefixes == ("/aws/lex/",)
    assert read_redaction(env) == (("FullName",), (), 8)
    err = capsys.readouterr().err
    assert "sign-in is required" in err and "nobody signed in may use the writer panel" in err
    assert "s3cr3t" not in err and "s3cr3t" not in " ".join(command)


def test_the_served_app_runs_hardened(started):
    with pytest.raises(SystemExit):
        main(["serve"])
    command = " ".join(started["command"])
    assert " ".join(HARDENED_FLAGS) in command


def test_the_shipped_config_holds_the_same_hardening():
    """Streamlit reads dashboard/.streamlit/config.toml beside the app script, so ``streamlit run
    dashboard/app.py`` gets it too; it must agree with the flags ``lexlens serve`` passes."""
    path = serve_command.app_path().parent / ".streamlit" / "config.toml"
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    flags = dict(zip(HARDENED_FLAGS[::2], HARDENED_FLAGS[1::2]))
    for flag, value in flags.items():
        section, name = flag.removeprefix("--").split(".")
        assert str(config[section][name]).lower() == value
    assert config["server"]["address"] == "127.0.0.1"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert ".streamlit/config.toml" in pyproject["tool"]["setuptools"]["package-data"]["lexlens.dashboard"]


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a listening TCP socket on ``port`` (/proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.mark.slow
def test_streamlit_run_reads_the_shipped_config_and_listens_on_loopback_only(tmp_path):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
                                "--server.port", str(port), "--server.headless", "true"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, 60)
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else
    finally:
        stop_group(process)


@pytest.fixture
def breaking(tmp_path, monkeypatch):
    """A sitecustomize that breaks one function inside the real server, with a server path in the
    error text; which one is chosen by LEXLENS_TEST_BREAK."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(
        "import os\n"
        "where = os.environ.get('LEXLENS_TEST_BREAK')\n"
        "def broken(*args, **kwargs):\n"
        "    raise RuntimeError('broken at ' + __file__)\n"
        "if where == 'page':\n"
        "    import lexlens.analytics.metrics.breakdowns as module; module.compute_modality = broken\n"
        "elif where == 'sidebar':\n"
        "    import lexlens.analytics.metrics.attributes as module; module.attribute_keys = broken\n")
    monkeypatch.setenv("PYTHONPATH", str(folder))
    return folder


@browser
@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("where", ["page", "sidebar"])
def test_errors_show_one_sentence_and_go_to_the_server_log(breaking, where, tmp_path, monkeypatch):
    import playwright.sync_api as playwright_api

    monkeypatch.setenv("LEXLENS_TEST_BREAK", where)
    log = tmp_path / "server.log"
    with serving([sample_logs.DEMO_LOG], log=log) as url, playwright_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        page = chromium.new_page()
        page.goto(url)
        wait_drawn(page)
        text = page.locator("body").inner_text()
        chromium.close()
    assert "Traceback" not in text and str(breaking) not in text and "RuntimeError" not in text
    if where == "page":
        assert FAILURE in text
    else:
        assert "error" in text.lower()  # Streamlit's own sentence, its details redacted
    server_log = log.read_text(errors="replace")
    assert "Traceback" in server_log and str(breaking) in server_log


@browser
@pytest.mark.browser
@pytest.mark.slow
def test_uploads_go_to_a_private_folder_removed_when_the_server_stops(tmp_path, monkeypatch):
    import playwright.sync_api as playwright_api

    log = write_hostile_log(tmp_path / "upload.jsonl", copies=1)
    temp = tmp_path / "tmp"
    temp.mkdir()
    with playwright_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)  # before TMPDIR changes: it is the server's only
        monkeypatch.setenv("TMPDIR", str(temp))
        with serving([sample_logs.DEMO_LOG]) as url:
            page = chromium.new_page()
            page.goto(url)
            wait_drawn(page)
            page.get_by_text("Source").first.click()
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(log))
            page.wait_for_function("() => document.body.innerText.includes('6 lines read')", timeout=60_000)
            folders = list(temp.glob("lexlens-uploads-*"))
            assert len(folders) == 1 and folders[0].stat().st_mode & 0o777 == 0o700
            assert list(folders[0].rglob("*upload.jsonl"))
        chromium.close()
    deadline = time.monotonic() + 10
    while folders[0].exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not folders[0].exists()


@browser
@pytest.mark.browser
@pytest.mark.slow
def test_a_visitor_cannot_reach_outside_the_data_dir(tmp_path):
    import playwright.sync_api as playwright_api

    data = tmp_path / "data"
    data.mkdir()
    write_hostile_log(data / "team.jsonl", copies=1)
    secret = tmp_path / "secret.jsonl"
    secret.write_text("aws_secret_access_key = SECRETVALUE\n")
    with serving([sample_logs.DEMO_LOG], extra=["--data-dir", str(data)]) as url, \
            playwright_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        page = chromium.new_page()
        texts = []
        for src in ("/etc/os-release", str(secret), str(tmp_path / "missing.jsonl"), f"{data}/../secret.jsonl"):
            page.goto(f"{url}/?src={src}")
            wait_drawn(page)
            texts.append(page.locator('[data-testid="stMain"]').inner_text())
        page.goto(f"{url}/?src={data}/team.jsonl")  # the allowed one, then typed paths
        wait_drawn(page)
        allowed = page.locator("body").inner_text()
        page.get_by_text("Source").first.click()
        box = page.get_by_label("Log file or folder (several: separate with ;)")
        box.fill(str(secret))
        box.press("Enter")
        page.get_by_text(REFUSAL).wait_for(timeout=30_000)
        wait_drawn(page)
        typed = page.locator('[data-testid="stMain"]').inner_text()
        chromium.close()
    assert all(REFUSAL in text and "SECRETVALUE" not in text and "lines read" not in text for text in texts)
    assert len(set(texts)) == 1  # the same page whether the path exists or not
    assert "6 lines read" in allowed
    assert REFUSAL in typed and "SECRETVALUE" not in typed


def test_a_console_whose_reader_went_away_drops_what_is_written():
    """``dashboard.console``: a write into a pipe nobody reads any more is counted as done,
    and the descriptor then leads to /dev/null for every later write."""
    from lexlens.dashboard.console import ReaderGoneTolerant

    reader, writer = os.pipe()
    try:
        raw = ReaderGoneTolerant(writer)
        assert raw.write(b"read\n") == 5 and os.read(reader, 5) == b"read\n"
        os.close(reader)
        assert raw.write(b"nobody reads this\n") == 18  # BrokenPipeError without the guard
        assert os.readlink(f"/proc/self/fd/{writer}") == os.devnull
        assert raw.write(b"") == 0 and raw.write(b"still fine\n") == 11
    finally:
        os.close(writer)


def test_a_server_whose_console_went_away_still_stops_on_sigterm():
    """A server started by a program that then went away: Streamlit prints "Stopping..." when
    it gets SIGTERM, into a pipe nobody reads; it must stop all the same (before
    ``dashboard.console`` it served on)."""
    port = free_port()
    command = [sys.executable, "-m", "lexlens", "serve", "--port", str(port), "--host", "127.0.0.1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               cwd=ROOT)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, 60)
        process.stdout.close()  # the reader goes, as when the program that started it is killed
        process.stderr.close()
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(20) == 0
    finally:
        stop_group(process)
