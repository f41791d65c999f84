"""A FranceConnect flow in progress: between the button and the way back."""
from wizard.extensions import db


class FranceConnectFlow(db.Model):
    """The `state` and `nonce` of one authorization request, kept on the server.

    `id` is the SHA-256 of a random token held in this browser's session cookie: the way
    back is accepted only in the browser that left, once (the row is deleted when it comes
    back), with the same `state`, within FRANCECONNECT_FLOW_MINUTES. Nothing of the person
    is kept here; what FranceConnect returns goes to the journey or the account, or nowhere.
    """

    __tablename__ = "franceconnect_flows"

    id = db.Column(db.String(64), primary_key=True)
    state = db.Column(db.String(64), nullable=False)
    nonce = db.Column(db.String(64), nullable=False)
    # sign_in (sign in, or sign up if no account is linked) or link (from "Mon compte")
    purpose = db.Column(db.String(8), nullable=False)
    account_id = db.Column(db.String(32), db.ForeignKey("accounts.id", ondelete="CASCADE"))
    created_at = db.Column(db.DateTime, nullable=False, index=True)
