"""Password rules whose messages Django's own Chinese catalogue lacks."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule, with its refusal worded by this project: Django 5.2 reworded the message and
    its zh_Hans catalogue has no translation of the new words, so a Chinese page showed English."""

    def get_error_message(self) -> str:
        return ngettext(
            "密码太短，至少需要 %(min_length)d 个字符。",
            "密码太短，至少需要 %(min_length)d 个字符。",
            self.min_length,
        ) % {"min_length": self.min_length}
