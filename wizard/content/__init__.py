"""The operator's texts: terms, privacy notice, its part of the accessibility statement and
of the help pages, read from CONTENT_FOLDER at start-up, sanitised, with Sésame's as defaults."""
