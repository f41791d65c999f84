"""Mon compte: the person's details, remembered browsers, recent activity, a new
password, signing out everywhere, and the idle warning's "stay signed in"."""
