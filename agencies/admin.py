from django.contrib import admin

from agencies.models import Agency, StaffMembership


class StaffInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "code")
    search_fields = ("name", "code")
    inlines = (StaffInline,)
