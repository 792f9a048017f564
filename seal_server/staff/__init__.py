"""The authority's staff: accounts with two-factor sign-in, roles, and the console."""
