"""Everything held about a person ("Mes données"), and closing their account: both derived
from the declaration of personal data (wizard/accounts/personal_data.py).

`rows_of` says where the person's rows are: every table with a foreign key to accounts.id,
and the rows that name the person without that key (codes by their owner, messages to their
address or number, the reset requests and the sign-in pause keyed by their address's HMAC).
The download holds every declared personal column of those rows (a secret is said to be
held, not shown) and the times and states that give them sense; the closure deletes the
same rows, children first. What stays is counted without personal data (event_counts).
"""
import re
from datetime import date, datetime
from typing import Protocol

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from wizard.accounts import personal_data
from wizard.accounts.models import Account
from wizard.codes.models import OneTimeCode
from wizard.extensions import db
from wizard.messaging import outbox
from wizard.messaging.models import OutboxMessage
from wizard.password_reset.models import PasswordReset, ResetFollow
from wizard.sign_in import service as sign_in
from wizard.sign_in.models import SignInThrottle

HELD_NOT_SHOWN = _l("conservé, mais pas montré")  # a hash, a token: no use to anyone, a risk if it leaks

# Personal tables that hold nobody's account: a signup under way (its journey ends when the
# account is made), the operator's staff.
NOT_ABOUT_ACCOUNTS = ("journeys", "staff_members")

# Columns that are not personal but give the personal ones sense: when, what, which state.
CONTEXT = {
    "purpose": _l("Objet"), "wording_version": _l("Version du texte"), "recorded_at": _l("Enregistré le"),
    "status": _l("État"), "kind": _l("Type"), "channel": _l("Canal"), "stage": _l("Étape"),
    "created_at": _l("Créé le"), "activated_at": _l("Activé le"), "phone_verified_at": _l("Téléphone confirmé le"),
    "eligible_at": _l("Couverture confirmée le"), "last_seen_at": _l("Vu pour la dernière fois le"),
    "ended_at": _l("Terminé le"), "last_used_at": _l("Utilisé pour la dernière fois le"),
    "expires_at": _l("Expire le"), "revoked_at": _l("Oublié le"), "used_at": _l("Utilisé le"),
    "sent_at": _l("Envoyé le"), "finished_at": _l("Terminé le"), "proven": _l("Prouvé"),
}


class Composer(Protocol):
    def account_closed(self, language: str, recipient: str, when: datetime) -> outbox.Email: ...


def rows_of(account: Account, secret_key: str) -> dict:
    """Table name -> the condition that picks the person's rows in it."""
    tables = db.metadata.tables
    accounts_id = tables["accounts"].c.id
    found = {"accounts": accounts_id == account.id}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(key.column is accounts_id for key in column.foreign_keys):
                found[table.name] = column == account.id
    digest = sign_in.email_digest(secret_key, account.email)
    recipients = [account.email] + ([account.phone] if account.phone else [])
    found.update({
        "one_time_codes": OneTimeCode.owner == account.id,
        "outbox": or_(OutboxMessage.account_id == account.id, OutboxMessage.recipient.in_(recipients)),
        "password_resets": or_(PasswordReset.account_id == account.id, PasswordReset.email_digest == digest),
        "password_reset_follows": ResetFollow.reset_id.in_(select(PasswordReset.id).where(
            or_(PasswordReset.account_id == account.id, PasswordReset.email_digest == digest))),
        "sign_in_throttles": SignInThrottle.email_digest == digest,
    })
    return found


def deleted_at_closure() -> list[str]:
    """What the closure page says it deletes: the title of each table that holds an account's
    rows (a foreign key to it, or personal data about account holders), in the reader's language."""
    accounts_id = db.metadata.tables["accounts"].c.id
    def refers(table):
        return any(key.column is accounts_id for column in table.columns for key in column.foreign_keys)
    held = {table.name for table in db.metadata.sorted_tables if table.name == "accounts" or refers(table)
            or (table.name in personal_data.PERSONAL and table.name not in NOT_ABOUT_ACCOUNTS)}
    return [str(title) for name, title in personal_data.TABLES.items() if name in held]


def shown_columns(table: str) -> list[str]:
    """The declared personal columns of `table`, then the context ones it has."""
    personal = list(personal_data.PERSONAL.get(table, {}))
    return personal + [name for name in CONTEXT if name in db.metadata.tables[table].c and name not in personal]


def everything(db_session, account: Account, secret_key: str) -> dict:
    """Plain data (JSON-ready): table name -> the person's rows, oldest first, each with every
    declared personal column (see the module's docstring). Tables with none are left out."""
    found = {}
    for table_name, where in rows_of(account, secret_key).items():
        table, columns = db.metadata.tables[table_name], shown_columns(table_name)
        if not columns:
            continue
        order = [table.c[name] for name in ("created_at", "recorded_at", "id") if name in table.c][:1]
        # The columns' types decrypt the answers.
        rows = db_session.execute(select(*(table.c[name] for name in columns)).where(where).order_by(*order)).all()
        if rows:
            found[table_name] = [{name: _plain(table_name, name, value)
                                  for name, value in zip(columns, row, strict=True)} for row in rows]
    return found


def _plain(table: str, column: str, value):
    declared = personal_data.PERSONAL.get(table, {}).get(column)
    if declared is not None and declared.secret:
        return str(HELD_NOT_SHOWN) if value else None
    return value.isoformat() if isinstance(value, (date, datetime)) else value


MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")  # a datetime, as everything() writes it


def readable(data: dict, moment=str) -> list[tuple[str, str, list[list[tuple[str, object]]]]]:
    """For the page: (table, its title, its rows as (name of the datum, value) pairs), in the
    reader's language; a moment as `moment(datetime)` says it. A secret reads as held; a
    mapping (the answers) stays whole."""
    def label(table, column):
        declared = personal_data.PERSONAL.get(table, {}).get(column)
        return str(declared.what if declared is not None else CONTEXT[column])

    def shown(value):
        if isinstance(value, str) and MOMENT.match(value):
            return moment(datetime.fromisoformat(value))
        return value
    return [(table, str(personal_data.TABLES.get(table, table)),
             [[(label(table, column), shown(value)) for column, value in row.items() if value not in (None, "")]
              for row in rows])
            for table, rows in data.items()]


def close(db_session, account: Account, secret_key: str, composer: Composer, now: datetime) -> None:
    """Deletes every row of the person at once, children first (SQLite enforces no cascade),
    then tells the address (a message of no account)."""
    email, language = account.email, account.language
    found = rows_of(account, secret_key)
    for table in reversed(db.metadata.sorted_tables):
        if table.name in found:
            db_session.execute(table.delete().where(found[table.name]))
    db_session.expunge(account)
    outbox.queue_email(db_session, composer.account_closed(language, email, now), "account_closed", None, now)
