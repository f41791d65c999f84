"""The operator's look: colours checked for contrast at start-up, its logo and favicon."""
