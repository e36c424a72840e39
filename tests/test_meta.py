"""Meta-tests that keep the project whole: every option in its command's README section, --help
snapshots, the README's generated definitions and report keys, no private APIs, no paths from
one machine."""
import ast
import contextlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from lexlens.analytics.cli import command_parsers, main
from lexlens.analytics.report.glossary import GLOSSARY, gather, render_json_keys, render_markdown
from lexlens.analytics.report.model import report_keys

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


README = (ROOT / "README.md").read_text(encoding="utf-8")
REFRESH = os.environ.get("LEXLENS_REFRESH_GOLDEN") == "1"
NESTED = {"cache": ("info", "clear")}  # commands whose options live on their actions


def help_text(*words: str) -> str:
    """What ``lexlens WORDS --help`` prints, 100 columns wide (argparse reads COLUMNS)."""
    out = io.StringIO()
    with mock.patch.dict(os.environ, {"COLUMNS": "100"}), contextlib.redirect_stdout(out), \
            pytest.raises(SystemExit):
        main([*words, "--help"])
    return out.getvalue()


def help_options(text: str) -> list[str]:
    """The long options a help text lists (hidden, deprecated names are not listed)."""
    found = []
    for line in text.splitlines():
        if line.startswith("  -"):
            invocation = re.split(r"\s{2,}", line.strip())[0]
            found += [option for option in re.findall(r"--[a-z][a-z0-9-]*", invocation)
                      if option != "--help" and option not in found]
    return found


def command_words() -> list[tuple[str, ...]]:
    """Every command (and nested action) that has options of its own."""
    words = []
    for command in command_parsers():
        words += [(command, action) for action in NESTED[command]] if command in NESTED else [(command,)]
    return words


def readme_section(command: str) -> str:
    """The README section of ``lexlens COMMAND``: from its ### heading to the next heading."""
    match = re.search(rf"^### `lexlens {re.escape(command)}\b.*?(?=^#{{2,3}} )", README, re.M | re.S)
    assert match, f"the README has no ### `lexlens {command} ...` section"
    return match.group(0)


def cli_options() -> list[tuple[str, str]]:
    return [(" ".join(words), option) for words in command_words() for option in help_options(help_text(*words))]


def test_the_option_list_is_not_empty():
    """The per-option test below must not pass by finding no option at all."""
    options = cli_options()
    assert len(options) > 60 and {"report", "serve", "pull", "sample", "add-utterances"} <= \
        {command for command, _ in options}
    assert ("report", "--csv-dir") in options and ("serve", "--auth") in options


@pytest.mark.parametrize("command, option", cli_options(), ids=lambda value: value)
def test_each_option_is_in_its_commands_readme_section(command, option):
    section = readme_section(command.split()[0])
    assert re.search(re.escape(option) + r"(?![a-z0-9-])", section), \
        f"{option} of `lexlens {command}` is not in that command's README section"


def test_nested_commands_are_the_ones_listed():
    for command, actions in NESTED.items():
        listed = re.findall(r"^    ([a-z-]+)\s{2,}", help_text(command), re.M)
        assert set(listed) == set(actions), listed


@pytest.mark.parametrize("words", command_words() + [()], ids=lambda words: " ".join(words) or "lexlens")
def test_help_matches_its_snapshot(words):
    """``lexlens ... --help`` as reviewed: an option or text changed on purpose is refreshed with
    LEXLENS_REFRESH_GOLDEN=1 (the test fails while the switch is on, so it cannot stay on)."""
    path = ROOT / "tests" / "golden" / "help" / ("-".join(words or ("lexlens",)) + ".txt")
    text = help_text(*words)
    if REFRESH:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        pytest.fail(f"refreshed {path.name}: review the diff, then run without LEXLENS_REFRESH_GOLDEN")
    assert path.exists(), f"no snapshot {path.name}: run once with LEXLENS_REFRESH_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def generated_block(name: str, render) -> None:
    """A README block between ``<!-- NAME: generated ... -->`` and ``<!-- end of NAME -->`` equals
    ``render()``; LEXLENS_REFRESH_GOLDEN=1 rewrites it."""
    global README
    pattern = re.compile(rf"(<!-- {name}: generated [^>]*-->\n)(.*?)(<!-- end of {name} -->)", re.S)
    match = pattern.search(README)
    assert match, f"the README has no generated block '{name}'"
    if REFRESH:
        README = pattern.sub(lambda m: m.group(1) + render() + m.group(3), README)
        (ROOT / "README.md").write_text(README, encoding="utf-8")
        pytest.fail(f"refreshed the README's {name}: review the diff, then run without LEXLENS_REFRESH_GOLDEN")
    assert match.group(2) == render()


def test_readme_metric_definitions_are_the_codes():
    generated_block("metric definitions", render_markdown)


def test_readme_report_keys_are_the_codes():
    generated_block("report keys", render_json_keys)


def test_report_json_has_exactly_the_documented_keys(capsys):
    assert main(["report", str(ROOT / "sample_logs" / "variants.jsonl"), "--json"]) == 0
    printed = list(json.loads(capsys.readouterr().out))
    documented = re.findall(r"^\| `([a-z_]+)` \|", README.split("<!-- report keys")[1].split("<!-- end of")[0], re.M)
    assert printed == documented == list(report_keys())


def test_every_report_key_follows_a_definition():
    assert [key for key, meta in report_keys().items() if meta["topic"] not in GLOSSARY] == []


def test_every_dashboard_explanation_is_defined():
    """Each ``explain("Topic", ...)`` of the pages names a definition of the glossary."""
    topics = set()
    for path in (ROOT / "dashboard").rglob("*.py"):
        for call in re.findall(r"explain\(([^)]*)\)", path.read_text(encoding="utf-8")):
            topics |= set(re.findall(r'"([^"]+)"', call))
    assert len(topics) > 30
    assert sorted(topics - set(GLOSSARY)) == []


def test_the_glossary_refuses_a_name_defined_twice():
    with pytest.raises(ValueError, match="defined twice"):
        gather({"Session": "a"}, {"Session": "b"})


PUBLIC_UNDERSCORED = {("os", "_exit")}  # documented API whose name starts with an underscore


def test_no_private_attribute_of_another_object():
    """No ``obj._name`` on anything but ``self``/``cls``: private APIs of other libraries change
    without notice (e.g. argparse's ``_option_string_actions``, boto3's ``session._session``)."""
    found = []
    for folder in ("analytics", "dashboard", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                        and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
                        and (ast.unparse(node.value), node.attr) not in PUBLIC_UNDERSCORED):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert found == []


def test_no_machine_paths_or_files_outside_the_repository():
    """Tests and code read what the repository carries: no /work/... or ../shared."""
    pattern = re.compile(r"/work/|\.\./shared|/tmp/lexlens")
    found = [f"{path.relative_to(ROOT)}:{number}"
             for folder in ("analytics", "dashboard", "tests", "bench", "docs", "sample_logs", ".ci")
             for path in sorted((ROOT / folder).rglob("*")) if path.is_file() and path.suffix in (".py", ".md", ".toml", "")
             for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
             if pattern.search(line) and path.name != "test_meta.py"]
    assert found == []


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash .ci/run" in readme
    assert "pytest" in ci


# analytics' layers, bottom up: a module imports only from its own layer and those before it
LAYERS = ["errors", "userdirs", "second_core", "aws", "timewindow", "schema", "filters", "text", "sources", "ingest", "store", "metrics", "insights", "privacy",
          "report", "monitor", "writer", "simulator", "cli"]


def imported_layers(path: Path) -> set[str]:
    """The analytics layers a module imports (from its import statements, not its docstrings)."""
    layers = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
            [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            parts = name.split(".")
            if parts[:2] == ["lexlens", "analytics"] and len(parts) > 2:
                layers.add(parts[2])
    return layers


def test_every_analytics_module_has_a_layer():
    for path in (ROOT / "analytics").rglob("*.py"):
        parts = path.relative_to(ROOT / "analytics").parts
        if parts != ("__init__.py",):
            assert (parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")) in LAYERS, path


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_only_the_layers_below_it(layer):
    below = set(LAYERS[:LAYERS.index(layer) + 1])
    paths = [ROOT / "analytics" / f"{layer}.py"] if (ROOT / "analytics" / f"{layer}.py").exists() else \
        sorted((ROOT / "analytics" / layer).rglob("*.py"))
    assert paths
    wrong = {f"{path.relative_to(ROOT)} imports {sorted(imported_layers(path) - below)}"
             for path in paths if imported_layers(path) - below}
    assert wrong == set()
