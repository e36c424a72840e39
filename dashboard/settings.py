"""How ``lexlens serve`` hands its options to the Streamlit app: environment variables.

Streamlit re-executes the app script on every interaction, so the options are read
from the environment each time (cheap). No variable set means: the bundled demo logs,
writes disabled.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

SOURCES_VAR = "LEXLENS_SOURCES"          # os.pathsep-separated files or folders
ALLOW_WRITES_VAR = "LEXLENS_ALLOW_WRITES"  # "1" enables the writer panel
CLOUDWATCH_VARS = {  # CloudWatch option -> variable (issue 4)
    "log_groups": "LEXLENS_LOG_GROUPS",   # os.pathsep-separated group names
    "region": "LEXLENS_REGION",
    "profile": "LEXLENS_PROFILE",
    "endpoint_url": "LEXLENS_ENDPOINT_URL",
    "cache_dir": "LEXLENS_CACHE_DIR",
    "since": "LEXLENS_SINCE",
    "until": "LEXLENS_UNTIL",
}
OUTCOME_VARS = {  # outcome option -> variable; lists are os.pathsep-separated
    "idle_timeout": "LEXLENS_IDLE_TIMEOUT",                 # seconds
    "escalation_intent": "LEXLENS_ESCALATION_INTENTS",
    "escalation_attribute": "LEXLENS_ESCALATION_ATTRIBUTE",  # KEY or KEY=VALUE
    "escalation_action": "LEXLENS_ESCALATION_ACTIONS",
}
EXCLUSION_VARS = {  # lexlens serve's --exclude-* options -> variable; os.pathsep-separated (issue 14)
    "exclude_alias": "LEXLENS_EXCLUDE_ALIASES",
    "exclude_version": "LEXLENS_EXCLUDE_VERSIONS",
    "exclude_attribute": "LEXLENS_EXCLUDE_ATTRIBUTES",  # KEY=VALUE each
}
DEFAULT_IDLE_TIMEOUT_S = 300.0  # Lex's default idle session timeout


@dataclass(frozen=True)
class ServeSettings:
    """The options ``lexlens serve`` was started with."""

    sources: tuple[str, ...] = ()
    allow_writes: bool = False
    cloudwatch: dict = field(default_factory=dict)
    idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S
    escalation_intents: tuple[str, ...] = ()
    escalation_key: str = ""
    escalation_value: str = ""
    escalation_actions: tuple[str, ...] = ()
    exclude_aliases: tuple[str, ...] = ()
    exclude_versions: tuple[str, ...] = ()
    exclude_attributes: tuple[str, ...] = ()  # KEY=VALUE each


def split_list(text: str | None) -> tuple[str, ...]:
    return tuple(part for part in (text or "").split(os.pathsep) if part.strip())


def read_idle_timeout(text: str | None) -> float:
    """Seconds from the variable; the default when unset or not a positive number."""
    try:
        value = float(text or "")
    except ValueError:
        return DEFAULT_IDLE_TIMEOUT_S
    return value if 0 < value < float("inf") else DEFAULT_IDLE_TIMEOUT_S


def read_settings(environ=None) -> ServeSettings:
    """The serve options from ``environ`` (default ``os.environ``)."""
    environ = os.environ if environ is None else environ
    cloudwatch = {name: environ.get(var) or None for name, var in CLOUDWATCH_VARS.items()}
    cloudwatch["log_groups"] = split_list(environ.get(CLOUDWATCH_VARS["log_groups"]))
    key, _, value = (environ.get(OUTCOME_VARS["escalation_attribute"]) or "").partition("=")
    return ServeSettings(sources=split_list(environ.get(SOURCES_VAR)),
                         allow_writes=environ.get(ALLOW_WRITES_VAR, "") == "1",
                         cloudwatch=cloudwatch,
                         idle_timeout_s=read_idle_timeout(environ.get(OUTCOME_VARS["idle_timeout"])),
                         escalation_intents=split_list(environ.get(OUTCOME_VARS["escalation_intent"])),
                         escalation_key=key, escalation_value=value,
                         escalation_actions=split_list(environ.get(OUTCOME_VARS["escalation_action"])),
                         exclude_aliases=split_list(environ.get(EXCLUSION_VARS["exclude_alias"])),
                         exclude_versions=split_list(environ.get(EXCLUSION_VARS["exclude_version"])),
                         exclude_attributes=split_list(environ.get(EXCLUSION_VARS["exclude_attribute"])))


def settings_environment(sources, allow_writes: bool, cloudwatch: dict | None = None,
                         outcome: dict | None = None, exclusions: dict | None = None) -> dict[str, str]:
    """The variables that make ``read_settings`` return these options (``outcome``: the
    values of ``lexlens serve``'s outcome options, by their argparse names)."""
    env = {SOURCES_VAR: os.pathsep.join(str(source) for source in sources),
           ALLOW_WRITES_VAR: "1" if allow_writes else "0"}
    for name, value in (cloudwatch or {}).items():
        if name == "log_groups":
            value = os.pathsep.join(value or ())
        env[CLOUDWATCH_VARS[name]] = "" if value is None else str(value)
    for name, value in (outcome or {}).items():
        if isinstance(value, (list, tuple)):
            value = os.pathsep.join(value)
        env[OUTCOME_VARS[name]] = "" if value is None else str(value)
    for name, values in (exclusions or {}).items():
        env[EXCLUSION_VARS[name]] = os.pathsep.join(values or ())
    return env
