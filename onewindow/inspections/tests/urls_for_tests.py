"""The project's routes plus this app's, until the project's urls.py includes them."""

from django.urls import include, path

from onewindow.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("inspections/", include("onewindow.inspections.urls")),
    *(p for p in project_urlpatterns if getattr(p, "app_name", None) != "inspections"),
]
