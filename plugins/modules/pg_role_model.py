#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: pg_role_model
short_description: Converge the whole least-privilege role model of one PostgreSQL database in one transaction
version_added: 0.1.0
description:
  - Declares the access model of one database in one task, covering group roles (C(NOLOGIN)), login roles
    (password, C(VALID UNTIL), connection limit, or IAM authentication through membership in
    C(rds_iam)), memberships, schemas and their owners, privileges on schemas, tables, sequences
    and functions, default privileges for objects that owner roles create later, PUBLIC hardening,
    and C(pgaudit.log) settings per role and per database.
  - The model governs the database the task connects to, O(login_db) (alias O(database)). Schemas,
    object privileges, default privileges, C(REASSIGN OWNED) and C(DROP OWNED) only exist per
    database, so the governed database and the connection database are the same by design.
    Roles are cluster-wide; role settings use C(ALTER ROLE ... IN DATABASE).
  - The catalog is read once, with a constant number of queries (RV(queries)) whatever the number of
    roles, schemas and objects; object privileges are aggregated by the server. The plan holds the
    fewest statements, composed with psycopg's C(sql) module (identifiers are always quoted), and is
    applied in one transaction; a failure rolls everything back.
  - Works as the RDS or Aurora master user (C(CREATEROLE), member of C(rds_superuser), not a
    superuser). C(pg_authid) is never read and no superuser-only statement is sent; C(pgaudit.log)
    is set with C(ALTER ROLE/DATABASE ... SET), never C(ALTER SYSTEM).
  - To create schemas for an owner, to grant on the owner's objects and to set its default
    privileges, the connecting user must be able to act as the owner role. When it cannot, the plan
    includes C(GRANT owner TO connecting_user), right after the roles are created (on PostgreSQL 16 C(WITH INHERIT TRUE, SET TRUE)),
    as is usual for the RDS master user. The same is done for roles with O(logins[].state=absent) and
    their O(logins[].reassign_to) role, and for the current owner of a schema whose owner changes or
    that is dropped. These memberships of the connecting user are never purged.
  - Memberships are compared per role and member whatever their grantor, so PostgreSQL 16's one row
    per grantor does not cause changes on the next run; on PostgreSQL 16 a membership counts when
    one of its grants has the C(INHERIT) option, and revocations name the grantor (C(GRANTED BY)).
author:
  - Innovate platform team (@innovate-platform)
options:
  groups:
    description:
      - Group roles (C(NOLOGIN)). An existing role with C(LOGIN) that is declared here is altered to
        C(NOLOGIN).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - The role name, 1 to 63 bytes (UTF-8), without NUL characters; quotes, spaces, dots, upper case
            and non-ASCII characters are fine.
          - Each role is declared once, either in O(groups) or in O(logins).
          - Names reserved by PostgreSQL (V(public), V(none), V(current_user), V(pg_*), ...) are refused.
        type: str
        required: true
      state:
        description:
          - V(absent) drops the role after C(REASSIGN OWNED BY name TO reassign_to) and C(DROP OWNED BY name)
            in the governed database. Roles that are not declared are never dropped.
        type: str
        choices: [present, absent]
        default: present
      member_of:
        description:
          - The roles this group is a member of (for example a read-write group in a read-only group).
            Each must be declared in O(groups) or exist on the server.
        type: list
        elements: str
        default: []
      reassign_to:
        description:
          - The role that takes over the objects of a role with O(groups[].state=absent). Required with
            O(groups[].state=absent).
        type: str
  logins:
    description:
      - Login roles (C(LOGIN)).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - The role name; the same rules as O(groups[].name).
        type: str
        required: true
      password:
        description:
          - The password, in clear text or as a SCRAM verifier (V(SCRAM-SHA-256$...)).
          - Never shown in results, diffs or errors (statements show C(PASSWORD '********')).
          - A clear-text password is turned into a SCRAM-SHA-256 verifier on the controller (libpq's
            C(PQencryptPasswordConn)) and the verifier is sent, so the clear text never reaches the server's
            statement log or pgaudit's C(ROLE) audit lines; the role's password is stored as SCRAM-SHA-256
            whatever the server's C(password_encryption).
          - It is set when the role is created and when O(logins[].update_password=always).
          - C(pg_authid) is not read (RDS hides it), so a clear-text password cannot be compared. With
            O(logins[].update_password=on_create), a clear-text password given for an existing role
            changes nothing and does not report a change.
          - A SCRAM verifier can be compared without C(pg_authid). When the module sets one, it records a
            SHA-256 fingerprint of the verifier as the role's comment (C(COMMENT ON ROLE), the verifier
            itself is not stored). A verifier whose fingerprint differs from the comment (a new verifier,
            or a role whose password was not set from a verifier by this module) is set, with
            O(logins[].update_password=on_create) too. A password changed outside the module keeps the
            old fingerprint and is not detected.
          - Omit it for IAM-only logins.
        type: str
      update_password:
        description:
          - V(on_create) sets the password only when the role is created (and when a SCRAM verifier's
            fingerprint differs, see O(logins[].password)).
          - V(always) sets the password on every run, so the task reports a change on every run.
        type: str
        choices: [on_create, always]
        default: on_create
      valid_until:
        description:
          - The C(VALID UNTIL) timestamp, for example V(2030-01-01 00:00:00+00), or V(infinity).
          - The server parses and normalises it before any change; when omitted, the role's value is kept.
        type: str
      connection_limit:
        description:
          - The C(CONNECTION LIMIT); V(-1) means no limit. When omitted, the role's value is kept.
        type: int
      iam:
        description:
          - Whether the login authenticates with RDS IAM tokens, that is, whether it is a member of C(rds_iam).
          - V(false) revokes an existing C(rds_iam) membership of the login.
        type: bool
        default: false
      member_of:
        description:
          - The group roles this login is a member of. Each must be declared in O(groups) or exist on the
            server; use O(logins[].iam) instead of C(rds_iam).
        type: list
        elements: str
        default: []
      state:
        description:
          - V(absent) drops the login after C(REASSIGN OWNED BY name TO reassign_to) and C(DROP OWNED BY name).
        type: str
        choices: [present, absent]
        default: present
      reassign_to:
        description:
          - The role that takes over the login's objects when O(logins[].state=absent); required then.
        type: str
  schemas:
    description:
      - The schemas the model manages. Privileges, default privileges and O(purge) apply to these only.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - The schema name; V(pg_*) and V(information_schema) are refused.
        type: str
        required: true
      owner:
        description:
          - The owner role. A new schema is created with C(AUTHORIZATION owner); an existing one is altered.
          - When omitted, a new schema is owned by the connecting user and an existing one keeps its owner.
        type: str
      state:
        description:
          - V(absent) drops the schema with C(DROP SCHEMA) (C(RESTRICT)), so a schema that still holds objects
            is not dropped and the task fails without any change.
        type: str
        choices: [present, absent]
        default: present
  privileges:
    description:
      - Privileges of declared roles on a managed schema, or on all of its tables (including views,
        materialized views, partitioned and foreign tables), sequences or functions (including aggregate
        and window functions; procedures are not managed).
      - For tables, sequences and functions the privilege is held when the role has it on every existing
        object of that type in the schema; missing ones are granted with C(GRANT ... ON ALL ... IN SCHEMA).
        Use O(default_privileges) for objects created later.
      - Entries with the same O(privileges[].role), O(privileges[].schema) and O(privileges[].on) are merged.
    type: list
    elements: dict
    default: []
    suboptions:
      role:
        description:
          - A role declared in O(groups) or O(logins).
        type: str
        required: true
      schema:
        description:
          - A schema declared in O(schemas) with O(schemas[].state=present).
        type: str
        required: true
      'on':
        description:
          - The object type.
        type: str
        required: true
        choices: [schema, tables, sequences, functions]
      privileges:
        description:
          - The privileges (case-insensitive), or V(ALL) for every privilege of the object type.
          - V(schema) accepts V(USAGE) and V(CREATE); V(tables) V(SELECT), V(INSERT), V(UPDATE), V(DELETE),
            V(TRUNCATE), V(REFERENCES), V(TRIGGER); V(sequences) V(USAGE), V(SELECT), V(UPDATE);
            V(functions) V(EXECUTE).
        type: list
        elements: str
        required: true
  default_privileges:
    description:
      - Privileges that objects created later by an owner role in a managed schema get
        (C(ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA schema)).
    type: list
    elements: dict
    default: []
    suboptions:
      owner:
        description:
          - The role that creates the objects (declared or existing).
        type: str
        required: true
      role:
        description:
          - The declared role that gets the privileges.
        type: str
        required: true
      schema:
        description:
          - A schema declared in O(schemas).
        type: str
        required: true
      'on':
        description:
          - The object type.
        type: str
        required: true
        choices: [tables, sequences, functions]
      privileges:
        description:
          - The privileges, as in O(privileges[].privileges).
        type: list
        elements: str
        required: true
  hardening:
    description:
      - Whether to apply the PUBLIC hardening to the governed database C(REVOKE CREATE ON SCHEMA public FROM PUBLIC),
        C(REVOKE ALL ON DATABASE ... FROM PUBLIC) and C(GRANT CONNECT) to every declared login.
      - The connecting user keeps C(CONNECT). When it is neither the database owner nor holds C(CONNECT)
        itself or through a role, it is granted C(CONNECT) too.
      - Group roles do not get C(CONNECT); logins connect with their own privilege. Logins get C(CONNECT)
        only, not C(TEMPORARY).
      - V(false) leaves the database's privileges and the public schema as they are.
    type: bool
    default: true
  audit:
    description:
      - C(pgaudit.log) settings in the governed database (the server must load C(pgaudit) through
        C(shared_preload_libraries)). When omitted, the settings are not managed.
    type: dict
    suboptions:
      database:
        description:
          - Classes for every session in the database (C(ALTER DATABASE ... SET pgaudit.log)), for example
            V([ddl, role]). An empty list removes the setting; when omitted it is not managed.
          - Classes are V(all), V(ddl), V(function), V(misc), V(misc_set), V(none), V(read), V(role),
            V(write), each optionally prefixed with V(-) to exclude it.
        type: list
        elements: str
      roles:
        description:
          - Classes for the sessions of one role in the database (C(ALTER ROLE ... IN DATABASE ... SET pgaudit.log)).
        type: list
        elements: dict
        default: []
        suboptions:
          role:
            description:
              - A declared or existing role.
            type: str
            required: true
          log:
            description:
              - The classes, as in O(audit.database); an empty list removes the setting.
            type: list
            elements: str
            required: true
  purge:
    description:
      - Whether to revoke what the model does not declare, on what the model manages, which is
        privileges on the managed schemas and on their tables, sequences and functions (from any
        grantee including PUBLIC, except the object owners), default privileges in the managed schemas,
        memberships of the declared roles and in the declared roles (except those of the connecting
        user), and, when O(audit) is given, C(pgaudit.log) settings of declared roles not listed in it.
      - Roles that the model does not declare are never dropped, and database-level grants to other
        roles are kept.
    type: bool
    default: false
extends_documentation_fragment:
  - innovate.aws_postgres.postgres_connection
attributes:
  check_mode:
    support: full
    description:
      - The catalog is read and the plan computed; the connection is in autocommit mode and only
        catalog C(SELECT)s are sent. Nothing is executed, not even inside a rolled-back transaction.
  diff_mode:
    support: full
    description:
      - RV(diff) holds before and after summaries of the model and, in C(prepared), the statements
        with passwords redacted.
notes:
  - Bad input fails before anything is read or changed, with a message naming the option, the value
    and what would be accepted. References that need the server (a O(logins[].member_of) role that
    is neither declared nor existing, a superuser in the model) fail after the catalog read and before
    any change.
  - Privileges held by a role on some but not all objects count as missing and are granted again with
    C(GRANT ... ON ALL ... IN SCHEMA), which is harmless for the objects that already have them.
  - A run takes a transaction-scoped advisory lock, so concurrent runs against the same server
    (roles are cluster-wide) wait for each other.
seealso:
  - name: PostgreSQL GRANT
    description: Privileges and role memberships.
    link: https://www.postgresql.org/docs/current/sql-grant.html
  - name: ALTER DEFAULT PRIVILEGES
    description: Privileges of objects created later.
    link: https://www.postgresql.org/docs/current/sql-alterdefaultprivileges.html
"""

EXAMPLES = r"""
- name: Least-privilege model of the app database, as the RDS master user
  innovate.aws_postgres.pg_role_model:
    login_host: "{{ db_endpoint }}"
    login_user: app_admin
    login_password: "{{ master_password }}"
    ca_bundle: /etc/ssl/rds/global-bundle.pem
    database: app
    groups:
      - name: app_owner
      - name: app_readonly
      - name: app_readwrite
        member_of: [app_readonly]
    logins:
      - name: app_service
        iam: true
        member_of: [app_readwrite]
      - name: reporting
        password: "{{ reporting_password }}"
        valid_until: "2030-01-01 00:00:00+00"
        connection_limit: 5
        member_of: [app_readonly]
      - name: old_batch
        state: absent
        reassign_to: app_owner
    schemas:
      - name: app
        owner: app_owner
    privileges:
      - {role: app_readonly, schema: app, 'on': schema, privileges: [USAGE]}
      - {role: app_readonly, schema: app, 'on': tables, privileges: [SELECT]}
      - {role: app_readonly, schema: app, 'on': sequences, privileges: [SELECT]}
      - {role: app_readwrite, schema: app, 'on': tables, privileges: [INSERT, UPDATE, DELETE]}
      - {role: app_readwrite, schema: app, 'on': sequences, privileges: [USAGE]}
    default_privileges:
      - {owner: app_owner, role: app_readonly, schema: app, 'on': tables, privileges: [SELECT]}
      - {owner: app_owner, role: app_readonly, schema: app, 'on': sequences, privileges: [SELECT]}
      - {owner: app_owner, role: app_readwrite, schema: app, 'on': tables, privileges: [INSERT, UPDATE, DELETE]}
      - {owner: app_owner, role: app_readwrite, schema: app, 'on': sequences, privileges: [USAGE]}
    audit:
      database: [ddl, role]
      roles:
        - {role: app_service, log: [ddl, role, write]}
    purge: true

- name: Show what would change, with the statements
  innovate.aws_postgres.pg_role_model:
    login_host: "{{ db_endpoint }}"
    login_user: app_admin
    login_password: "{{ master_password }}"
    database: app
    groups:
      - name: app_readonly
  check_mode: true
  diff: true
"""

RETURN = r"""
statements:
  description:
    - The statements executed (or, in check mode, that would be), in order, with passwords replaced
      by C('********').
  returned: always
  type: list
  elements: str
  sample:
    - CREATE ROLE "app_readonly" NOLOGIN
    - CREATE ROLE "reporting" WITH LOGIN PASSWORD '********' CONNECTION LIMIT 5
    - GRANT SELECT ON ALL TABLES IN SCHEMA "app" TO "app_readonly"
roles_created:
  description: The roles created (or that would be).
  returned: always
  type: list
  elements: str
  sample: [app_readonly, reporting]
roles_dropped:
  description: The roles dropped (or that would be).
  returned: always
  type: list
  elements: str
  sample: [old_batch]
queries:
  description:
    - The number of catalog queries run; constant whatever the size of the model and of the database.
  returned: always
  type: int
  sample: 8
server_version_num:
  description: The server's C(server_version_num).
  returned: always
  type: int
  sample: 150007
driver:
  description: The PostgreSQL driver the module used, V(psycopg2) or V(psycopg) (psycopg 3).
  returned: always
  type: str
  sample: psycopg2
elapsed:
  description: Seconds spent reading the catalog, planning and applying (connection excluded).
  returned: always
  type: float
  sample: 0.042
diff:
  description:
    - C(before) and C(after) summaries of the declared roles, schemas, privileges, default privileges,
      pgaudit settings and hardening, and C(prepared), the statements (redacted) as one text.
  returned: always
  type: dict
  contains:
    before:
      description: The state found, in the shape of the model.
      type: dict
      returned: always
    after:
      description: The state the model declares.
      type: dict
      returned: always
    prepared:
      description: The statements, one per line, passwords redacted.
      type: str
      returned: always
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import postgres_argument_spec
from ansible_collections.innovate.aws_postgres.plugins.module_utils.role_model.apply import run
from ansible_collections.innovate.aws_postgres.plugins.module_utils.role_model.spec import ARGUMENT_SPEC


def main():
    argument_spec = postgres_argument_spec()
    argument_spec.update(ARGUMENT_SPEC)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
