"""After activation: the mobile number, and the code that proves it (or an email code)."""
