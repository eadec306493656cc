"""Routes for department reviewers."""

app_name = "approvals"

urlpatterns: list = []
