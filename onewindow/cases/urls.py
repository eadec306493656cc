"""Routes for applicants' cases, the kiosk, and the comprehensive window."""

from django.urls import path

from onewindow.cases import views

app_name = "cases"

urlpatterns = [
    # Applicants (and staff filing on their behalf).
    path("cases/start/", views.case_start_page, name="start"),
    path("cases/<int:case_id>/form/", views.case_form, name="form"),
    path("cases/<int:case_id>/form/save/", views.case_form_save_field, name="form_save"),
    path("cases/<int:case_id>/materials/", views.case_materials, name="materials"),
    path(
        "cases/<int:case_id>/materials/<slug:code>/upload/",
        views.case_material_upload_view,
        name="material_upload",
    ),
    path("cases/<int:case_id>/materials/shared/", views.case_materials_shared_view, name="materials_shared"),
    path(
        "cases/<int:case_id>/materials/<slug:code>/shared/",
        views.case_material_shared_view,
        name="material_shared",
    ),
    path(
        "cases/<int:case_id>/materials/<slug:code>/file/",
        views.case_material_download,
        name="material_download",
    ),
    path("cases/<int:case_id>/commitment/", views.case_commitment, name="commitment"),
    path("cases/<int:case_id>/submit/", views.case_submit_page, name="submit"),
    path("cases/<int:case_id>/notices/<slug:kind>.pdf", views.case_notice, name="notice"),
    path(
        "cases/<int:case_id>/notices/supplement/<int:request_id>.pdf",
        views.case_supplement_notice,
        name="supplement_notice",
    ),
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/cases/<int:case_id>/", views.case_progress, name="progress"),
    path("my/profile/", views.profile, name="profile"),
    path("my/notifications/", views.notifications, name="notifications"),
    path("my/notifications/<int:notification_id>/read/", views.notification_read, name="notification_read"),
    # Self-service kiosk.
    path("kiosk/", views.kiosk, name="kiosk"),
    path("kiosk/exit/", views.kiosk_exit, name="kiosk_exit"),
    # The comprehensive window.
    path("window/", views.window_queue_page, name="window_queue"),
    path("window/assist/", views.assist, name="assist"),
    path("window/cases/<int:case_id>/", views.window_case, name="window_case"),
    path("window/cases/<int:case_id>/accept/", views.window_accept, name="window_accept"),
    path("window/cases/<int:case_id>/supplement/", views.window_supplement, name="window_supplement"),
    path("window/cases/<int:case_id>/refuse/", views.window_refuse, name="window_refuse"),
]
