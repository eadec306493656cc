"""Routes for public licence verification."""

from django.urls import path

from onewindow.licenses import views

app_name = "licenses"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("v/<str:token>/", views.verify_token, name="verify_token"),
]
