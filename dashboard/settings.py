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


@dataclass(frozen=True)
class ServeSettings:
    """The options ``lexlens serve`` was started with."""

    sources: tuple[str, ...] = ()
    allow_writes: bool = False
    cloudwatch: dict = field(default_factory=dict)


def split_list(text: str | None) -> tuple[str, ...]:
    return tuple(part for part in (text or "").split(os.pathsep) if part.strip())


def read_settings(environ=None) -> ServeSettings:
    """The serve options from ``environ`` (default ``os.environ``)."""
    environ = os.environ if environ is None else environ
    cloudwatch = {name: environ.get(var) or None for name, var in CLOUDWATCH_VARS.items()}
    cloudwatch["log_groups"] = split_list(environ.get(CLOUDWATCH_VARS["log_groups"]))
    return ServeSettings(sources=split_list(environ.get(SOURCES_VAR)),
                         allow_writes=environ.get(ALLOW_WRITES_VAR, "") == "1",
                         cloudwatch=cloudwatch)


def settings_environment(sources, allow_writes: bool, cloudwatch: dict | None = None) -> dict[str, str]:
    """The variables that make ``read_settings`` return these options."""
    env = {SOURCES_VAR: os.pathsep.join(str(source) for source in sources),
           ALLOW_WRITES_VAR: "1" if allow_writes else "0"}
    for name, value in (cloudwatch or {}).items():
        if name == "log_groups":
            value = os.pathsep.join(value or ())
        env[CLOUDWATCH_VARS[name]] = "" if value is None else str(value)
    return env
