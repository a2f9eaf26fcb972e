"""Appointments, shared calendars and iCalendar feeds."""
