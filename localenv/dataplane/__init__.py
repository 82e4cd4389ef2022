"""Real PostgreSQL 15 servers behind the emulated RDS instances.

- ``fleet.PostgresFleet``: the servers of one local environment, keyed by
  ``(account_id, region, db_instance_identifier)``;
- ``server``: one server (directory, start/stop/restart/reload, base backups, promotion);
- ``backups``: base backups (snapshots, starting points of point-in-time restores);
- ``template``: the initdb'd template copied for each new server, and the settings catalogue;
- ``config``, ``gucs``, ``formulas``: parameter group values -> postgresql.conf / pg_hba.conf;
- ``bootstrap_sql``: RDS-like roles; ``ports``: free loopback ports; ``runas``: the server user.
"""
