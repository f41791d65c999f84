"""The operator's console: counts of what happens (without personal data), staff accounts
with a second factor, the console's pages, /metrics and the alerts."""
