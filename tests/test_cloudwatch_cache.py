"""The CloudWatch cache says what is true: slices keyed by content (a copied cache stays
valid, a damaged one is fetched again), a cache that cannot be written is one sentence, and
``cache info``/``cache clear`` report what they found and did."""
from __future__ import annotations

import json
import os
import shutil

import pytest

pytest.register_assert_rewrite("moto_server")

import lexlens.analytics.sources.cloudwatch as cloudwatch  # noqa: E402
from lexlens.analytics.cli import main  # noqa: E402
from lexlens.analytics.errors import LexlensError  # noqa: E402
from lexlens.analytics.sources.cloudwatch import cache as cwcache, cache_admin as cwcache_admin  # noqa: E402
from lexlens.analytics.sources.cloudwatch import SliceFailure  # noqa: E402
from lexlens.analytics.cli.cloudwatch_options import raise_for_failures  # noqa: E402
from lexlens.analytics.timewindow import plan_slices  # noqa: E402
from moto_server import HOUR_MS, iso_ms  # noqa: E402
from tests.test_cloudwatch_faults import (GROUP, expect_describe, expect_slice, grid_window,  # noqa: E402
                                          stubbed)  # noqa: F401 (a fixture)



def one_slice(folder, start=0, end=10, events=2) -> dict:
    lines = [json.dumps({"timestamp": start + n, "eventId": f"e{n}", "message": "m"}).encode()
             for n in range(events)]
    return cwcache.write_slice(folder, start, end, lines, complete=True, fetched_at=99)


def flip_a_byte(path, at: int = -12) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))  # same size, same inode, different bytes


def test_a_copied_cache_stays_valid(tmp_path):
    """Manifests once recorded inodes: cp -r, rsync or a restored backup dropped every slice."""
    (tmp_path / "a").mkdir()
    info = one_slice(tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "copy")
    assert cwcache.read_manifest(tmp_path / "copy", 0, 10) == info


@pytest.mark.parametrize("damage", [
    lambda data, manifest: flip_a_byte(data),
    lambda data, manifest: flip_a_byte(data, 20),
    lambda data, manifest: data.write_bytes(data.read_bytes()[:-1]),
    lambda data, manifest: manifest.write_text(json.dumps({**json.loads(manifest.read_text()),
                                                           "crc32": None, "inode": data.stat().st_ino})),
], ids=["trailer byte", "compressed byte", "cut short", "a manifest of the inode era"])
def test_a_slice_not_as_written_counts_as_missing(damage, tmp_path):
    one_slice(tmp_path)
    damage(*cwcache.slice_paths(tmp_path, 0, 10))
    assert cwcache.read_manifest(tmp_path, 0, 10) is None


def test_a_slice_damaged_after_its_check_is_dropped_with_one_sentence(tmp_path):
    one_slice(tmp_path, events=50)
    data, manifest = cwcache.slice_paths(tmp_path, 0, 10)
    flip_a_byte(data, len(data.read_bytes()) // 2)
    with pytest.raises(cwcache.CacheError, match="is damaged .*dropped from the cache: run again"):
        list(cwcache.iter_window_events([[data]], 0, 10))
    assert not manifest.exists()


def test_a_damaged_slice_is_fetched_again_and_cache_info_says_so(stubbed, tmp_path, capsys):
    client, stubber = stubbed
    since, until = grid_window(slices=2)
    (s1, e1), (s2, _) = plan_slices(since, until, 6 * HOUR_MS)
    expect_describe(stubber)
    expect_slice(stubber, s1)
    expect_slice(stubber, s2)
    cloudwatch.pull_log_groups(client, [GROUP], since, until, tmp_path, max_workers=1)
    folder = next(tmp_path.glob("v1/*"))
    flip_a_byte(cwcache.slice_paths(folder, s1, e1)[0])
    assert main(["cache", "info", "--cache-dir", str(tmp_path)]) == 0
    assert "1 slices (1 complete; 1 damaged, fetched again by the next pull)" in capsys.readouterr().out
    expect_describe(stubber)
    expect_slice(stubber, s1)  # only the damaged slice
    again = cloudwatch.pull_log_groups(client, [GROUP], since, until, tmp_path, max_workers=1)
    stubber.assert_no_pending_responses()
    assert (again.slices_fetched, again.slices_cached) == (1, 1)
    assert cloudwatch.write_pull(again, tmp_path / "out.jsonl") == 2


def test_a_cache_folder_that_cannot_be_made_is_one_sentence(stubbed, tmp_path):
    client, stubber = stubbed
    since, until = grid_window(slices=1)
    (tmp_path / "file").write_text("not a folder")
    expect_describe(stubber)
    with pytest.raises(LexlensError, match=r"^Cannot write the CloudWatch cache at .*file.* pass --cache-dir"):
        cloudwatch.pull_log_groups(client, [GROUP], since, until, tmp_path / "file" / "cache")


def test_a_slice_that_cannot_be_written_stops_the_pull_without_retries(stubbed, tmp_path):
    """A read-only cache once failed every slice three times over, then listed all of them."""
    client, stubber = stubbed
    since, until = grid_window(slices=1)
    expect_describe(stubber)
    expect_slice(stubber, since)  # fetched once: writing it is what fails, and is not retried
    folder = cwcache.Namespace(GROUP, "us-east-1", "http://127.0.0.1:9", "111122223333").folder(tmp_path)
    (folder / f"{since}-{since + 6 * HOUR_MS}.jsonl.gz").mkdir(parents=True)  # the data file's name is taken
    with pytest.raises(LexlensError, match="^Cannot write the CloudWatch cache at"):
        cloudwatch.pull_log_groups(client, [GROUP], since, until, tmp_path, max_workers=1, retry_delay=0)
    stubber.assert_no_pending_responses()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_is_one_sentence(stubbed, tmp_path):
    client, stubber = stubbed
    since, until = grid_window(slices=1)
    expect_describe(stubber)
    expect_slice(stubber, since)
    cloudwatch.pull_log_groups(client, [GROUP], since, until, tmp_path, max_workers=1)
    for path in [tmp_path, *tmp_path.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    expect_describe(stubber)
    with pytest.raises(LexlensError, match="^Cannot write the CloudWatch cache at"):
        cloudwatch.pull_log_groups(client, [GROUP], since, until + 6 * HOUR_MS, tmp_path, max_workers=1)


def test_hundreds_of_failed_slices_are_one_short_sentence():
    result = cloudwatch.PullResult(0, 1)
    result.failed_slices = [SliceFailure(GROUP, n * HOUR_MS, (n + 1) * HOUR_MS,
                                         "ThrottlingException" if n % 3 else "PermissionError")
                            for n in range(288)]
    with pytest.raises(LexlensError) as caught:
        raise_for_failures(result)
    message = str(caught.value)
    assert len(message) < 600 and "and 285 more (288 failed slices: ThrottlingException 192, " \
        "PermissionError 96)" in message


# ---------- cache info and cache clear tell what is true ----------

def cli(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(part) for part in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cache_info_on_a_file_or_a_missing_folder(tmp_path, capsys):
    code, out, err = cli(capsys, "cache", "info", "--cache-dir", "/etc/passwd")
    assert code == 2 and "/etc/passwd is not a folder" in err
    code, out, err = cli(capsys, "cache", "info", "--cache-dir", tmp_path / "missing")
    assert code == 0 and "empty (the folder does not exist yet)" in out


def test_cache_clear_on_a_missing_folder_or_a_file(tmp_path, capsys):
    code, out, err = cli(capsys, "cache", "clear", "--cache-dir", tmp_path / "missing")
    assert code == 0 and out.strip() == f"nothing to clear: {tmp_path / 'missing'} does not exist"
    code, out, err = cli(capsys, "cache", "clear", "--cache-dir", "/etc/passwd")
    assert code == 2 and "/etc/passwd is not a folder" in err and os.path.exists("/etc/passwd")


def cached_namespace(cache, group=GROUP):
    folder = cwcache.open_namespace(cache, cwcache.Namespace(group, "us-east-1", "e", "1"))
    one_slice(folder)
    return folder


def test_cache_clear_that_cannot_delete_says_so(tmp_path, capsys, monkeypatch):
    """A read-only cache: every deletion refused (as the OS refuses it to a non-root user)."""
    folder = cached_namespace(tmp_path)

    def refuse(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "unlink", refuse)
    code, out, err = cli(capsys, "cache", "clear", "--cache-dir", tmp_path)
    assert code == 1 and "could not clear everything" in err and "Permission denied" in err
    assert "cleared" not in out
    monkeypatch.undo()
    assert cwcache.read_manifest(folder, 0, 10) is not None


def test_cache_clear_reports_what_it_deleted(tmp_path, capsys):
    cached_namespace(tmp_path, "/aws/lex/a")
    cached_namespace(tmp_path, "/aws/lex/b")
    code, out, err = cli(capsys, "cache", "clear", "--cache-dir", tmp_path, "--log-group", "/aws/lex/none")
    assert code == 0 and "holds no cache of log group /aws/lex/none" in out
    code, out, err = cli(capsys, "cache", "clear", "--cache-dir", tmp_path, "--log-group", "/aws/lex/a")
    assert code == 0 and "cleared log group /aws/lex/a" in out and ": 1 cached log groups" in out
    assert [ns["log_group"] for _, ns in cwcache_admin.list_namespaces(tmp_path)] == ["/aws/lex/b"]


def test_fetch_with_a_file_as_cache_is_one_sentence(stubbed, tmp_path, capsys, monkeypatch):
    client, stubber = stubbed
    since, until = grid_window(slices=1)
    expect_describe(stubber)
    monkeypatch.setattr(cloudwatch, "make_logs_client", lambda *args, **kwargs: client)
    code, out, err = cli(capsys, "pull", "--log-group", GROUP, "--since", iso_ms(since), "--until",
                         iso_ms(until), "--cache-dir", "/etc/passwd")
    assert code == 2 and "Cannot write the CloudWatch cache at /etc/passwd" in err and "Traceback" not in err
