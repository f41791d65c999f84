"""Forgotten password: the address, the email's code or link, the new password."""
