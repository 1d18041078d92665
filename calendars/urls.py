from django.urls import path

from calendars import views_feeds

# The iCalendar addresses; the calendar pages, the user's settings among them, are in
# frontend.urls.
urlpatterns: list = [
    path("feeds/<str:token>.ics", views_feeds.calendar_feed, name="calendar_feed"),
    path("events/<int:event_id>.ics", views_feeds.calendar_event_ics, name="calendar_event_ics"),
]
