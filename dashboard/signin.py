"""Sign-in with Streamlit's built-in OpenID Connect (``st.login``, ``st.user``, ``st.logout``;
https://docs.streamlit.io/develop/concepts/connections/authentication), on when ``lexlens serve``
was given ``--auth FILE``.

A visitor who has not signed in sees the sign-in button and nothing else; a signed-in visitor
not listed with ``--allow-user`` sees a refusal and a sign-out button; everyone else sees who
they are and can sign out. The writer panel also needs the user to be listed with ``--writer``.
"""
from __future__ import annotations

import streamlit as st

from lexlens.dashboard.access import AccessSettings, user_allowed
from lexlens.dashboard.safe import escape_markdown

USER_STATE = "signed_in_user"  # session state: the signed-in e-mail, for the audit line


def signed_in_email() -> str | None:
    """The e-mail the provider vouched for, or None (not signed in, or an unverified address:
    an allow-list by e-mail means nothing if anyone can claim any address)."""
    if not st.user.is_logged_in or st.user.get("email_verified") is False:
        return None
    email = st.user.get("email")
    return str(email) if email else None


def render_sign_in_gate(access: AccessSettings) -> str | None:
    """Stop the page unless sign-in is off or the visitor is signed in and allowed; the
    signed-in e-mail (None with sign-in off)."""
    if not access.auth:
        return None
    if not st.user.is_logged_in:
        st.title("lexlens")
        st.write("Sign in to see this dashboard.")
        st.button("Sign in", on_click=st.login, type="primary", key="sign_in")
        st.stop()
    email = signed_in_email()
    if email is None or not user_allowed(email, access.allowed_users):
        who = escape_markdown(str(st.user.get("email") or st.user.get("name") or "an unknown user"))
        st.title("lexlens")
        st.error(f"You are signed in as {who}, but this dashboard is not shared with you: ask the "
                 "person who runs it to add you.")
        st.button("Sign out", on_click=st.logout, key="sign_out_refused")
        st.stop()
    st.session_state[USER_STATE] = email
    return email


def render_signed_in(email: str | None) -> None:
    """Who is signed in, and the sign-out button (sidebar)."""
    if email is None:
        return
    st.sidebar.caption(f"Signed in as {escape_markdown(email)}")
    st.sidebar.button("Sign out", on_click=st.logout, key="sign_out")


def writes_allowed(allow_writes: bool, access: AccessSettings, email: str | None) -> bool:
    """``--allow-writes``, and with sign-in on, a user listed with ``--writer``."""
    if not allow_writes:
        return False
    return not access.auth or user_allowed(email, access.writers)
