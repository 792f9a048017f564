"""Pure helpers for Iranian conventions: digits, calendars, identifiers. No Flask here."""
