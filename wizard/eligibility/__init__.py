"""The last step of the signup: the insurer confirms the person is covered."""
