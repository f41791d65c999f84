"""Services: plain Python, no Flask request or session. Views call them."""
