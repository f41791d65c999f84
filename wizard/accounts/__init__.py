"""Accounts: created at the end of the signup steps, activated by the email link or code,
forgotten when never activated; their consents and the activity shown in Mon compte."""
