"""After the credentials step: "check your email", the activation link and code, a new
address, and the page that says the account is activated. Same /inscription/ prefix as the
steps: for the person it is the same journey."""
