from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("read/", views.notification_mark_all_read_page, name="notification_mark_all_read"),
    path("preferences/", views.notification_preferences, name="notification_preferences"),
    path("unread-count/", views.notification_unread_count_json, name="notification_unread_count"),
    path("<int:notification_id>/", views.notification_open, name="notification_open"),
]
