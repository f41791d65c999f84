"""Pages around the journey: landing, legal texts, language switch, health check."""
