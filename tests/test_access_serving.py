"""Serving safely: bound to this machine, no usage statistics, and a failed page shows the
user no error details while the server log gets them without client text."""

from __future__ import annotations

import logging
import tomllib

from streamlit.testing.v1 import AppTest

from dashboard import guard
from tests.conftest import CANARY, ROOT


def test_the_config_binds_to_localhost_hides_errors_and_sends_no_statistics():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"


def failing_page():
    from dashboard import guard as page_guard
    from tests.conftest import CANARY as planted

    class Page:
        url_path = "brief"

        def run(self):
            raise ValueError(f"could not parse {planted}")

    page_guard.run(Page())


def test_a_failed_page_shows_a_reference_and_logs_no_client_text(caplog):
    with caplog.at_level(logging.ERROR, logger="interlude.pages"):
        app = AppTest.from_function(failing_page, default_timeout=30).run()
    assert not app.exception
    shown = app.error[0].value
    assert "could not be shown" in shown and "ValueError" not in shown and CANARY not in shown
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "ValueError" in logged and "[ref " in logged and "could not parse" not in logged
    assert CANARY not in logged and "Margot" not in logged


def test_the_safe_report_names_the_type_and_frames_never_the_message():
    try:
        try:
            raise KeyError(CANARY)
        except KeyError as inner:
            raise RuntimeError(CANARY) from inner
    except RuntimeError as error:
        report = guard.safe_report(error)
    assert report.startswith("RuntimeError (from KeyError) at test_access_serving.py:")
    assert CANARY not in report
