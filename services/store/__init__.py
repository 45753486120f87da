"""The shared violation store: tables, migrations, the transactional writer and analyst queries."""
