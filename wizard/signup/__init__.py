"""The signup journey: /inscription/<étape>, one URL per step declared in wizard.signup.steps."""
