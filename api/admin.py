from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

# DRF's own tokens no longer sign anyone in (api.models.ApiToken does): keep them out of sight.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)
