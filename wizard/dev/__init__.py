"""Development pages: registered only when DEVELOPMENT_PAGES is true, so they answer 404
in production. /dev/courriels lists the outbox: in the embedded default, mails stay there."""
