"""A failed page shows the user a short apology and a reference, never its error: the
details go to the server log, without protected health information (the exception's
type and where it was raised; never its message or local values, which can carry client
text)."""

from __future__ import annotations

import logging
import secrets
import traceback

import streamlit as st

log = logging.getLogger("interlude.pages")


def safe_report(error: BaseException) -> str:
    """The exception's type and the frames it passed through (file, line, function): what a
    developer needs, with no message, argument or value in it."""
    frames = traceback.extract_tb(error.__traceback__)
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames))
    chain = type(error).__name__
    cause = error.__cause__ or error.__context__
    if cause is not None:
        chain += f" (from {type(cause).__name__})"
    return f"{chain} at {where}" if where else chain


def run(page) -> None:
    """Run a st.navigation page; an exception is logged safely and shown as one line."""
    try:
        page.run()
    except Exception as error:   # st.stop() and reruns are BaseExceptions, not caught here
        reference = secrets.token_hex(4)
        log.error("page %s failed [ref %s]: %s", getattr(page, "url_path", "?") or "home", reference,
                  safe_report(error))
        st.error(f"This page could not be shown. The problem was logged for the administrator "
                 f"(reference {reference}).", icon=":material/error:")
