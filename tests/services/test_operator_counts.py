"""The console's counts on PostgreSQL: one upsert per row, what the outbox counts."""
from datetime import timedelta

from tests.views.operator_journeys import all_rows
from wizard.core import clock
from wizard.extensions import db
from wizard.messaging import outbox
from wizard.messaging.outbox import Email
from wizard.operator import events


def test_the_same_combination_is_one_row_whose_count_grows(app, database):
    for _ in range(2):
        with app.app_context():
            for _ in range(3):
                events.count(db.session, events.STEP_REACHED, clock.now(), step="identity",
                             context=events.Context(language="fr", js="on", device="mobile"))
            db.session.commit()
    [row] = all_rows(database)
    assert row["count"] == 6 and row["step"] == "identity" and row["kiosk"] == ""


class Down:
    def send(self, message):
        raise ConnectionRefusedError("[Errno 111] jean@exemple.fr refused")


class Up:
    def send(self, message):
        pass


def test_the_outbox_counts_queued_retried_and_delivered_with_the_delay_and_never_the_text(app, database):
    queued = clock.now()
    with app.app_context():
        outbox.queue_email(db.session, Email("jean@exemple.fr", "Objet", "texte", "<p>texte</p>"), "activation",
                           None, queued)
        db.session.commit()
        outbox.deliver_due(db.session, Down(), queued)
        outbox.deliver_due(db.session, Up(), queued + timedelta(seconds=40))
    rows = {(row["event"], row["channel"], row["detail"], row["bucket"]): row["count"]
            for row in all_rows(database) if "day" in row}
    assert rows == {(events.MESSAGE_QUEUED, "email", "activation", 0): 1,
                    (events.MESSAGE_RETRIED, "email", "ConnectionRefusedError", 0): 1,
                    (events.MESSAGE_DELIVERED, "email", "activation", 60): 1}
