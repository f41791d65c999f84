"""Plain Python with no Flask, no database: the clock, signed tokens, passwords, identity
(names, birth dates, French identifiers) and phone numbers. A rule tested in
tests/test_architecture.py."""
