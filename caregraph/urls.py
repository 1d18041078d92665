from django.contrib import admin
from django.urls import include, path

from caregraph.health import ReadinessView, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", ReadinessView.as_view(), name="readyz"),
    path("account/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("frontend.urls")),
]
