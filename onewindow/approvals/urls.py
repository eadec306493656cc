"""Routes for department reviewers (the queue, one branch and its decisions, decision PDFs, the calendar),
for the approvers of extension requests, and for the applicant's answer to a rectification request."""

from django.urls import path

from onewindow.approvals import views

app_name = "approvals"

urlpatterns = [
    path("review/", views.queue, name="queue"),
    path("review/calendar/", views.calendar_page, name="calendar"),
    path("review/extensions/", views.extensions, name="extensions"),
    path("review/extensions/<int:extension_id>/decide/", views.extension_decide, name="extension_decide"),
    path(
        "review/extensions/<int:extension_id>/withdraw/", views.extension_withdraw, name="extension_withdraw"
    ),
    path("review/branches/<int:branch_id>/", views.branch_detail, name="branch"),
    path("review/branches/<int:branch_id>/decision.pdf", views.decision_pdf, name="decision_pdf"),
    path("review/reply-files/<int:file_id>/", views.reply_file, name="reply_file"),
    path("branches/<int:branch_id>/reply/", views.branch_reply, name="reply"),
    *(
        path(
            f"review/branches/<int:branch_id>/{action}/", views.branch_action, {"action": action}, name=action
        )
        for action in views.ACTIONS
    ),
]
