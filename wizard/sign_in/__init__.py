"""Signing in: email and password, the second factor (a code by email or SMS, or a
remembered browser), signing out; and what every page needs to know of it (the idle
warning, the cookies the request decided on, the rough device of a browser)."""
