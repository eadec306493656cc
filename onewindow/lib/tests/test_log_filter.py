"""A refused request is one line in the log; a server error keeps its traceback."""

from __future__ import annotations

import io
import logging

from django.core.exceptions import PermissionDenied

from onewindow.lib.logfilters import ClientErrorsWithoutTraceback


def logged(status: int) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ClientErrorsWithoutTraceback())
    logger = logging.getLogger(f"onewindow.test.{status}")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        raise PermissionDenied("只有综合窗口人员可以使用此页面。")
    except PermissionDenied:
        logger.warning(
            "Forbidden (Permission denied): /window/", exc_info=True, extra={"status_code": status}
        )
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_a_refused_request_is_one_line() -> None:
    assert logged(403) == "Forbidden (Permission denied): /window/\n"


def test_a_server_error_keeps_its_traceback() -> None:
    text = logged(500)
    assert "Traceback (most recent call last)" in text
    assert "PermissionDenied: 只有综合窗口人员可以使用此页面。" in text
