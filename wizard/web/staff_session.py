"""Who of the operator's staff is signed in to the console on this browser: a session
kept on the server (table staff_sessions), found by the SHA-256 of the cookie's token.

The only code that reads or writes the console's session keys: the token, the sign-in
half done (the password accepted, the code not yet), and why the last session ended."""
from datetime import datetime, timedelta

from flask import current_app, g, session

from wizard import settings
from wizard.core import clock
from wizard.extensions import db
from wizard.operator import staff
from wizard.operator.models import StaffMember
from wizard.sign_in import sessions

SESSION_KEY, PENDING_KEY, ENDED_KEY = "staff_session", "staff_pending", "staff_ended"


def policy() -> sessions.SessionPolicy:
    """As strict as a citizen's signed-in session: SESSION_IDLE_MINUTES, SESSION_ABSOLUTE_HOURS."""
    return settings.session_policy(sessions.SIGN_IN, False)


def current_member(touch: bool = True) -> StaffMember | None:
    """The member signed in on this browser. `touch`: the request counts as activity (and
    a session found idle is ended); without (the idle warning's poll), nothing is written."""
    if "staff_member" not in g:
        token, now = session.get(SESSION_KEY), clock.now()
        row = staff.find_session(db.session, token, policy(), now, touch=touch)
        if row is None and token and touch:
            session.pop(SESSION_KEY, None)
            session[ENDED_KEY] = "idle"
        g.staff_member = db.session.get(StaffMember, row.staff_id) if row else None
    return g.staff_member


def signed_in() -> bool:
    return bool(session.get(SESSION_KEY)) and current_member(touch=False) is not None


def seconds_left() -> int:
    """Before the session ends if nothing happens; reading it writes nothing."""
    row = staff.find_session(db.session, session.get(SESSION_KEY), policy(), clock.now(), touch=False)
    return sessions.seconds_left(row, policy(), clock.now())


def stay() -> int:
    """The warning's "Rester connecté": the session counts from now again."""
    row = staff.find_session(db.session, session.get(SESSION_KEY), policy(), clock.now(), touch=False)
    if row is not None:
        row.last_seen_at = clock.now()
    return seconds_left()


def ended_reason() -> str | None:
    return session.pop(ENDED_KEY, None)


def start_pending(member: StaffMember) -> None:
    session[PENDING_KEY] = {"id": member.id, "at": clock.now().isoformat()}


def pending_member() -> StaffMember | None:
    """The member whose password was accepted, for SIGN_IN_PENDING_MINUTES."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    limit = timedelta(minutes=current_app.config["SIGN_IN_PENDING_MINUTES"])
    if clock.now() - datetime.fromisoformat(pending["at"]) > limit:
        session.pop(PENDING_KEY, None)
        return None
    return db.session.get(StaffMember, pending["id"])


def begin(member: StaffMember) -> None:
    """A new session, with a new token; the half-done sign-in is over."""
    now = clock.now()
    staff.end_session(db.session, session.get(SESSION_KEY), now)
    session.pop(PENDING_KEY, None)
    session[SESSION_KEY] = staff.begin_session(db.session, member, now)


def end() -> None:
    staff.end_session(db.session, session.pop(SESSION_KEY, None), clock.now())
    session.pop(PENDING_KEY, None)
