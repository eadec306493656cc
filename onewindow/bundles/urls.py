"""Public bundle routes: list, questionnaire with live plan, notice (page and PDF), commitment."""

from django.urls import path

from onewindow.bundles import views

app_name = "bundles"

urlpatterns = [
    path("bundles/", views.bundle_list, name="list"),
    path("bundles/<slug:code>/", views.bundle_detail, name="detail"),
    path("bundles/<slug:code>/plan/", views.bundle_plan, name="plan"),
    path("bundles/<slug:code>/notice/", views.bundle_notice, name="notice"),
    path("bundles/<slug:code>/notice.pdf", views.bundle_notice_pdf, name="notice_pdf"),
    path("bundles/<slug:code>/commitment/", views.bundle_commitment, name="commitment"),
]
