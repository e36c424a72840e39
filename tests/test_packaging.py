"""One import root: everything installs under ``lexlens``, beside Segment's ``analytics-python``
(which ships a top-level ``analytics`` package too: issue 13)."""
from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def package_folders() -> set[str]:
    """The repository's packages, named as installed: lexlens + the folder's dotted path."""
    names = {"lexlens"}
    for init in ROOT.rglob("__init__.py"):
        folder = init.parent.relative_to(ROOT)
        if folder.parts and folder.parts[0] in ("analytics", "dashboard", "sample_logs"):
            names.add(".".join(("lexlens", *folder.parts)))
    return names


def test_every_package_folder_is_installed_and_nothing_else():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert listed == package_folders()
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"lexlens": "."}


@pytest.mark.slow
def test_the_wheel_holds_only_lexlens(tmp_path):
    """A built wheel puts nothing at the top level but ``lexlens`` (and its metadata)."""
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    wheel, = tmp_path.glob("lexlens-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"lexlens"}
    for expected in ("lexlens/__init__.py", "lexlens/analytics/report/build.py", "lexlens/dashboard/app.py",
                     "lexlens/dashboard/.streamlit/config.toml", "lexlens/sample_logs/demo.jsonl.gz"):
        assert expected in names
    assert any(name.startswith("lexlens/analytics/ingest/_lexscan") for name in names)  # the C scanner, built
    assert not any(name.startswith("lexlens/tests/") or "/.venv/" in name for name in names)


def test_segments_analytics_and_lexlens_import_side_by_side(tmp_path):
    """With analytics-python installed (the test extra brings it), ``import analytics`` is Segment's
    and ``lexlens.analytics`` is ours, from any folder."""
    code = ("import analytics, lexlens.analytics.report.build, lexlens\n"
            "print(analytics.__file__); print(callable(analytics.track)); print(lexlens.__version__)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    segment_file, has_track, version = result.stdout.split()
    assert "site-packages" in segment_file and Path(segment_file).parent != ROOT / "analytics" and has_track == "True"
    assert version == PYPROJECT["project"]["version"]


def test_the_dashboard_finds_its_sample_logs_as_package_data():
    from lexlens import sample_logs

    assert sample_logs.DEMO_LOG.is_file() and sample_logs.DEMO_LOG.name == "demo.jsonl.gz"
    app = (ROOT / "dashboard" / "app.py").read_text(encoding="utf-8")
    assert "sys.path" not in app
