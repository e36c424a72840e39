"""Who may see the dashboard and what it may read (issue 11), as ``lexlens serve`` set it up.

The dashboard reads only what its operator allowed: the sources given to ``lexlens serve``,
files below its ``--data-dir`` folders, this visitor's own uploads, and CloudWatch log groups
given with ``--log-group`` or named under a ``--log-group-prefix``. ``streamlit run
dashboard/app.py`` (no serve options) keeps a free path box, but only on a loopback address.
Every check resolves symlinks and ``..`` first, and a refusal is the same sentence whether or
not the path exists.
"""
from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import dataclass
from pathlib import Path

ACCESS_VAR = "LEXLENS_ACCESS"  # JSON of AccessSettings, set by ``lexlens serve``
REFUSAL = ("This dashboard reads only the sources its operator allowed: pick one of those, a file "
           "in an allowed data folder, or upload logs.")
GROUP_REFUSAL = "This dashboard pulls only the CloudWatch log groups its operator allowed."


@dataclass(frozen=True)
class AccessSettings:
    """What ``lexlens serve`` allows: folders to browse, log-group prefixes, sign-in and who may
    get in (an e-mail address or ``@domain``) and write. ``served`` is False under a plain
    ``streamlit run``."""

    served: bool = False
    data_dirs: tuple[str, ...] = ()
    log_group_prefixes: tuple[str, ...] = ()
    auth: bool = False
    allowed_users: tuple[str, ...] = ()
    writers: tuple[str, ...] = ()


def read_access(environ=None) -> AccessSettings:
    """The access settings from ``environ`` (default ``os.environ``); none set: not served."""
    environ = os.environ if environ is None else environ
    raw = environ.get(ACCESS_VAR)
    if not raw:
        return AccessSettings()
    values = json.loads(raw)
    lists = {name: tuple(values.get(name) or ()) for name in
             ("data_dirs", "log_group_prefixes", "allowed_users", "writers")}
    return AccessSettings(served=True, auth=bool(values.get("auth")), **lists)


def access_environment(access: AccessSettings) -> dict[str, str]:
    """The variable that makes ``read_access`` return ``access``."""
    return {ACCESS_VAR: json.dumps({"data_dirs": list(access.data_dirs),
                                    "log_group_prefixes": list(access.log_group_prefixes),
                                    "auth": access.auth, "allowed_users": list(access.allowed_users),
                                    "writers": list(access.writers)})}


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or localhost; an empty address means every interface, so False."""
    if not host:
        return False
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def real_path(path: str | Path) -> Path:
    """``path`` with ``~``, ``..`` and every symlink resolved (the path need not exist)."""
    return Path(os.path.realpath(Path(path).expanduser()))


def is_below(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def path_allowed(path: str | Path, roots: list[Path], files: list[Path]) -> bool:
    """``path`` (resolved) is one of ``files`` or lies below one of ``roots`` (resolved)."""
    resolved = real_path(path)
    return resolved in files or any(is_below(resolved, root) for root in roots)


def allowed_locations(sources: tuple[str, ...], access: AccessSettings,
                      uploads: tuple[str, ...]) -> tuple[list[Path], list[Path]]:
    """(folders below which anything may be read, single files that may be read)."""
    roots, files = [], []
    for source in sources:
        resolved = real_path(source)
        (roots if resolved.is_dir() else files).append(resolved)
    roots += [real_path(folder) for folder in (*access.data_dirs, *uploads)]
    return roots, files


def group_allowed(group: str, access: AccessSettings, given: tuple[str, ...]) -> bool:
    """A log group given to ``lexlens serve`` or named under one of its prefixes."""
    return group in given or any(group.startswith(prefix) for prefix in access.log_group_prefixes)


def user_allowed(email: str | None, allowed: tuple[str, ...]) -> bool:
    """``email`` is listed, or its domain is (``@example.com``); case-insensitive."""
    if not email or "@" not in email:
        return False
    email = email.strip().lower()
    domain = "@" + email.rsplit("@", 1)[1]
    return any(entry.strip().lower() in (email, domain) for entry in allowed)


REDACT_VAR = "LEXLENS_REDACT"  # JSON {slots, attributes, min_digits} when --redact is on


def read_redaction(environ=None) -> tuple | None:
    """(slots, attributes, min_digits) of ``lexlens serve --redact``, or None when it is off."""
    environ = os.environ if environ is None else environ
    raw = environ.get(REDACT_VAR)
    if not raw:
        return None
    values = json.loads(raw)
    return tuple(values.get("slots") or ()), tuple(values.get("attributes") or ()), int(values["min_digits"])


def redaction_environment(rules) -> dict[str, str]:
    """The variable that makes ``read_redaction`` return the options of ``rules`` (its secret
    stays behind: the server draws its own)."""
    if rules is None:
        return {REDACT_VAR: ""}
    return {REDACT_VAR: json.dumps({"slots": list(rules.slots), "attributes": list(rules.attributes),
                                    "min_digits": rules.min_digits})}
