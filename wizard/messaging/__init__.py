"""Everything sent to people: the transactional outbox, its delivery (SMTP, the SMS
gateway), and the composition of emails and texts in the recipient's language."""
