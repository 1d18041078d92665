"""Changes to the calendar, by topic: events, attendance, tasks, reminders, feed tokens."""
