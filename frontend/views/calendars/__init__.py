"""The calendar's pages, by topic: the agenda and grids, one event, tasks, and settings."""
