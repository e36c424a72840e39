"""Meta-tests that keep the project whole."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lexlens.analytics.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
# The layers that talk to AWS or the terminal; every other module of analytics is the core.
EDGE_MODULES = ("lexlens.analytics.writer", "lexlens.analytics.sources.cloudwatch", "lexlens.analytics.cli")


def core_modules() -> list[str]:
    names = []
    for path in sorted((ROOT / "analytics").rglob("*.py")):
        name = ".".join(("lexlens",) + path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        if not name.startswith(EDGE_MODULES):
            names.append(name)
    return names


def test_there_are_core_modules_to_check():
    assert {"lexlens.analytics.ingest.loading", "lexlens.analytics.metrics.sessions", "lexlens.analytics.metrics.paths"} <= set(core_modules())


def test_analytics_core_imports_neither_streamlit_nor_boto3():
    code = ("import importlib, json, sys\n"
            f"for name in {core_modules()!r}: importlib.import_module(name)\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('streamlit', 'boto3', 'botocore'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def cli_options() -> list[tuple[str, str]]:
    parser = build_parser()
    subparsers = next(action for action in parser._actions if action.choices and
                      isinstance(action.choices, dict))
    options = []
    for command, subparser in subparsers.choices.items():
        for action in subparser._actions:
            options += [(command, option) for option in action.option_strings
                        if option.startswith("--") and option != "--help"]
    return options


def test_every_cli_command_and_option_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    options = cli_options()
    assert len(options) > 20
    missing = [f"{command} {option}" for command, option in options
               if not re.search(re.escape(option) + r"\b", readme)]
    assert missing == []
    commands = {command for command, _ in options}
    assert all(f"lexlens {command}" in readme for command in commands), commands


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash .ci/run" in readme
    assert "pytest" in ci
