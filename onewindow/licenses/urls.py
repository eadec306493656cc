"""Routes for licences: the issuer's queue and issue page, the licence page with its lifecycle and
delivery actions, the signed PDF, the time-saved report, and public verification."""

from django.urls import path

from onewindow.licenses import views

app_name = "licenses"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("v/<str:token>/", views.verify_token, name="verify_token"),
    path("issue/", views.queue, name="issue_queue"),
    path("issue/<int:case_id>/", views.issue_case, name="issue_case"),
    path("issued/", views.issued, name="issued"),
    path("time-saved/", views.time_saved, name="time_saved"),
    path("<int:licence_id>/", views.detail, name="detail"),
    path("<int:licence_id>/licence.pdf", views.pdf, name="pdf"),
    path("<int:licence_id>/change/", views.change, name="change"),
    path("<int:licence_id>/revoke/", views.revoke, name="revoke"),
    path("<int:licence_id>/cancel/", views.cancel, name="cancel"),
    path("<int:licence_id>/delivery/", views.delivery, name="delivery"),
    path("<int:licence_id>/handover/", views.handover, name="handover"),
    path("<int:licence_id>/ship/", views.ship, name="ship"),
    path("<int:licence_id>/delivered/", views.delivered, name="delivered"),
]
