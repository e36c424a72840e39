"""``lexlens serve``'s options for sharing the dashboard with a team (issue 11): sign-in
(``--auth``, ``--allow-user``, ``--writer``, ``--no-auth``), what visitors may read
(``--data-dir``, ``--log-group-prefix``), and the hardened Streamlit settings it runs with.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from lexlens.analytics.cli.option_types import given_path
from lexlens.analytics.errors import LexlensError

AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
# Streamlit settings of a served dashboard, also in dashboard/.streamlit/config.toml (which
# ``streamlit run dashboard/app.py`` reads): cross-site request forgery protection on, no
# cross-origin requests, uploads bounded, and no error details (tracebacks, server paths)
# shown to visitors: the dashboard logs them on the server.
# The last pair: every table has lexlens's own formula-safe CSV button; Streamlit's toolbar
# download would export log text raw (=HYPERLINK(...) and all). Streamlit 1.67 has no
# per-table switch, only this option (it also turns off copying cells).
HARDENED_FLAGS = ("--server.enableXsrfProtection", "true", "--server.enableCORS", "true",
                  "--server.maxUploadSize", "200", "--client.showErrorDetails", "none",
                  "--client.disableDataExport", "true")


def add_access_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("sharing with a team")
    group.add_argument("--auth", type=given_path, metavar="FILE",
                       help="sign-in with OpenID Connect: a TOML file with an [auth] table (redirect_uri, "
                            "cookie_secret, client_id, client_secret, server_metadata_url)")
    group.add_argument("--allow-user", action="append", default=[], metavar="EMAIL|@DOMAIN",
                       help="with --auth: who may sign in, an e-mail address or @domain (repeatable)")
    group.add_argument("--writer", action="append", default=[], metavar="EMAIL",
                       help="with --auth and --allow-writes: a user who may use the writer panel (repeatable)")
    group.add_argument("--no-auth", action="store_true",
                       help="serve a non-loopback --host without sign-in (anyone who can reach it sees the logs)")
    group.add_argument("--data-dir", action="append", default=[], type=given_path, metavar="DIR",
                       help="a folder whose log files visitors may open in the sidebar (repeatable)")
    group.add_argument("--log-group-prefix", action="append", default=[], metavar="P",
                       help="CloudWatch log groups named with this prefix may be pulled from the "
                            "dashboard (repeatable)")


def check_auth_options(args: argparse.Namespace) -> Path | None:
    """The resolved --auth file after its checks, or a LexlensError (exit 2) in one sentence."""
    from lexlens.dashboard.access import is_loopback

    if args.auth and args.no_auth:
        raise LexlensError("--auth and --no-auth contradict each other: give one.", exit_code=2)
    if not args.auth:
        if args.allow_user or args.writer:
            raise LexlensError("--allow-user and --writer need --auth FILE (sign-in).", exit_code=2)
        if not is_loopback(args.host) and not args.no_auth:
            raise LexlensError(f"--host {args.host} exposes the dashboard to the network: give --auth FILE "
                               "so that visitors sign in, or --no-auth to serve it to anyone who can "
                               "reach it.", exit_code=2)
        return None
    if not args.allow_user:
        raise LexlensError("--auth needs at least one --allow-user EMAIL or @domain: without it anyone "
                           "with an account at the provider could sign in.", exit_code=2)
    return check_auth_file(args.auth)


def check_auth_file(path: Path) -> Path:
    """``path`` resolved, once it holds an [auth] table with every key Streamlit's sign-in
    needs (values are never printed: they are secrets) and Authlib is installed."""
    import tomllib

    try:
        auth = tomllib.loads(path.expanduser().read_text(encoding="utf-8")).get("auth")
    except OSError as error:
        raise LexlensError(f"cannot read --auth {path}: {error.strerror or error}.", exit_code=2) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise LexlensError(f"--auth {path} is not valid TOML ({error}).", exit_code=2) from None
    missing = [key for key in AUTH_KEYS if not isinstance(auth, dict) or not auth.get(key)]
    if missing:
        raise LexlensError(f"--auth {path} needs an [auth] table with {', '.join(missing)}.", exit_code=2)
    try:
        import authlib  # noqa: F401  (Streamlit's st.login needs it)
    except ImportError:
        raise LexlensError("--auth needs Authlib: pip install 'streamlit[auth]'.", exit_code=2) from None
    return path.expanduser().resolve()


def check_data_dirs(folders: list[Path]) -> list[str]:
    """Each --data-dir resolved (symlinks and ``..``), or a LexlensError naming one that is not
    a folder."""
    checked = []
    for folder in folders:
        resolved = Path(os.path.realpath(folder.expanduser()))
        if not resolved.is_dir():
            raise LexlensError(f"--data-dir {folder} is not a folder.", exit_code=2)
        checked.append(str(resolved))
    return checked


def access_settings(args: argparse.Namespace, auth_file: Path | None):
    from lexlens.dashboard.access import AccessSettings

    return AccessSettings(served=True, data_dirs=tuple(check_data_dirs(args.data_dir)),
                          log_group_prefixes=tuple(args.log_group_prefix), auth=auth_file is not None,
                          allowed_users=tuple(args.allow_user), writers=tuple(args.writer))


def streamlit_flags(auth_file: Path | None) -> list[str]:
    """Hardening flags, and the --auth file as Streamlit's secrets file."""
    flags = list(HARDENED_FLAGS)
    if auth_file is not None:
        flags += ["--secrets.files", str(auth_file)]
    return flags


def listening_sentences(args: argparse.Namespace, auth_file: Path | None) -> list[str]:
    """What the console says at start: the address really listened on, and warnings."""
    from lexlens.dashboard.access import is_loopback

    host = f"[{args.host}]" if ":" in args.host else args.host
    lines = [f"dashboard at http://{host}:{args.port} (Ctrl+C to stop)"]
    if not is_loopback(args.host):
        everywhere = " (every network interface)" if args.host in ("0.0.0.0", "::", "") else ""
        lines.append(f"warning: listening on {args.host}{everywhere}: reachable from other machines"
                     + ("; sign-in is required." if auth_file else
                        " and anyone who reaches it sees the logs (--no-auth)."))
    if auth_file and args.allow_writes and not args.writer:
        lines.append("warning: --allow-writes without --writer: nobody signed in may use the writer panel.")
    return lines
