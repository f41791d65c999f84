"""Every column is declared once: personal (purpose, legal basis, retention) or not."""
from wizard.accounts.personal_data import NOT_PERSONAL, PERSONAL, Personal
from wizard.extensions import db


def test_every_column_is_declared_exactly_once(app):
    columns = {(table.name, column.name) for table in db.metadata.sorted_tables for column in table.columns}
    personal = {(table, column) for table, names in PERSONAL.items() for column in names}
    other = {(table, column) for table, names in NOT_PERSONAL.items() for column in names}
    assert not personal & other, sorted(personal & other)
    assert columns - personal - other == set(), f"undeclared: {sorted(columns - personal - other)}"
    assert personal | other <= columns, f"declared but gone: {sorted((personal | other) - columns)}"


def test_each_personal_column_says_why_on_what_basis_and_how_long(app):
    for names in PERSONAL.values():
        for declaration in names.values():
            assert isinstance(declaration, Personal)
            assert declaration.purpose and declaration.basis and declaration.retention

