"""Public routes: home page, item catalogue and item guides."""

from django.urls import path

from onewindow.catalog import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="item_list"),
    path("items/<slug:code>/", views.item_detail, name="item_detail"),
]
