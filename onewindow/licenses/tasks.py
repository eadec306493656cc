"""Background work for licences: pushing to the e-licence library."""

from __future__ import annotations

from django_tasks import task

from onewindow.licenses.services import push_attempt


@task()
def push_to_library(push_id: int) -> None:
    push_attempt(push_id=push_id)
