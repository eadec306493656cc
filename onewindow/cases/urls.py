"""Routes for applicants' cases and the comprehensive window."""

app_name = "cases"

urlpatterns: list = []
