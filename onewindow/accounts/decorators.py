"""View decorators that let only signed-in users, or only some roles, reach a page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from onewindow.accounts.models import User

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def signed_in_required(view: View) -> View:
    """Anonymous visitors go to the sign-in page, which brings them back here."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def role_required(*roles: str) -> Callable[[View], View]:
    """Anonymous visitors go to the sign-in page; signed-in users of other roles get the 403 page."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if cast(User, request.user).role not in roles:
                raise PermissionDenied(_("当前岗位没有此页面的权限。"))
            return view(request, *args, **kwargs)

        return cast(View, wrapper)

    return decorator
