"""One-time codes: 6 digits sent by SMS or email, to prove a phone number and as the
second factor at sign-in. Issued, limited and checked here; sent through the outbox."""
