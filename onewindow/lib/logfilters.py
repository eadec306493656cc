"""Log filters for the console handler."""

from __future__ import annotations

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A refused request (403, 404 …) is logged on one line: its traceback tells an operator nothing.

    Django logs a PermissionDenied or Http404 with the exception attached; a server error (5xx)
    keeps its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
