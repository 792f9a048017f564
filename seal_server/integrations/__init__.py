"""Authority-side outside systems (post office, tax id, voice calls): a small protocol each, a sandbox, adapters."""
