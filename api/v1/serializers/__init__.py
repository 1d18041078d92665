"""What the API reads and writes: the care graph's shapes (`graph`) and the calendar's
(`calendars`). Concerns keep theirs beside their endpoints."""
