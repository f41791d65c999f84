"""FranceConnect: signing up, signing in, linking and signing out through the state's
identity federation (OpenID Connect). client.py speaks the protocol; service.py links
accounts by FranceConnect's `sub`; views.py is the blueprint."""
