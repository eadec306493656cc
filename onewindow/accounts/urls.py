"""Routes for signing in and out, and for applicants registering and setting their password."""

from django.urls import path

from onewindow.accounts import registration, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("register/", registration.register, name="register"),
    path("password/", views.password, name="password"),
]
