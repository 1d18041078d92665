from django.urls import path

from calendars import views_feeds

# iCalendar addresses first; the calendar pages add theirs below.
urlpatterns: list = [
    path("feeds/<str:token>.ics", views_feeds.calendar_feed, name="calendar_feed"),
    path("events/<int:event_id>.ics", views_feeds.calendar_event_ics, name="calendar_event_ics"),
]
