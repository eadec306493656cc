"""Routes for joint inspections; the project includes them under "inspections/"."""

from django.urls import path

from onewindow.inspections import views

app_name = "inspections"

urlpatterns = [
    # Department staff.
    path("", views.mine, name="mine"),
    path("cases/<int:case_id>/schedule/", views.schedule, name="schedule"),
    path("<int:inspection_id>/", views.checklist, name="checklist"),
    path("<int:inspection_id>/entries/<int:entry_id>/", views.record, name="record"),
    path("<int:inspection_id>/finish/", views.finish, name="finish"),
    path("<int:inspection_id>/reinspection/", views.reinspection, name="reinspection"),
    path("<int:inspection_id>/close/", views.close, name="close"),
    path("photos/<int:photo_id>/", views.photo, name="photo"),
    path("commitment-checks/", views.commitment_checks, name="commitment_checks"),
    path("commitment-checks/<int:check_id>/", views.commitment_check, name="commitment_check"),
    # The applicant (and staff, for the notice and the evidence).
    path("cases/<int:case_id>/rectification/", views.rectification, name="rectification"),
    path("<int:inspection_id>/notices/<int:round_number>.pdf", views.notice_pdf, name="notice_pdf"),
    path("evidence/<int:evidence_id>/", views.evidence, name="evidence"),
]
