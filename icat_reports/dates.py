"""Dates as the outputs print them, without the templates' machinery (Jinja is not loaded
to print a date on a slide)."""

from __future__ import annotations

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def long_date(value) -> str:
    """13 December 2010: the form UN documents use."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
