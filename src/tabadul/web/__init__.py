"""The server-rendered web interface: sign-in and, as capabilities land, the analyst's screens."""
