"""What only the web layer knows: rendering (page or htmx partial), the browser's state
(cookies and session keys), rate-limit keys, security headers, assets, error pages, the
language, and what every form shares."""
