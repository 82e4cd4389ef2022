# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run ``pg_login_password``: plan, apply in one transaction, then prove the result with real logins."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.login_password.attempt import AttemptError, accepts
from ansible_collections.innovate.aws_postgres.plugins.module_utils.login_password.plan import PlanError, build_plan, statements
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.connection import DRIVER, connect
from ansible_collections.innovate.aws_postgres.plugins.module_utils.postgres.statements import StatementError
from ansible_collections.innovate.aws_postgres.plugins.module_utils.role_model.apply import password_hasher

SESSIONS_QUERY = "SELECT pid FROM pg_catalog.pg_stat_activity WHERE usename = %s AND pid <> pg_catalog.pg_backend_pid()"
TERMINATE_QUERY = "SELECT count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(pid)) FROM pg_catalog.pg_stat_activity" \
    " WHERE usename = %s AND pid <> pg_catalog.pg_backend_pid()"


class LoginPasswordError(Exception):
    pass


def _sessions(conn, name, terminate):
    cursor = conn.cursor()
    try:
        if terminate:
            cursor.execute(TERMINATE_QUERY, (name,))
            return cursor.fetchone()[0]
        cursor.execute(SESSIONS_QUERY, (name,))
        return len(cursor.fetchall())
    finally:
        cursor.close()


def _apply(conn, plan, recorder):
    cursor = conn.cursor()
    try:
        recorder.execute(cursor)
        conn.commit()
    except StatementError as exc:
        conn.rollback()
        raise LoginPasswordError("changing role %s failed, nothing was changed: %s" % (plan.name, exc))
    finally:
        cursor.close()


def _verify(params, plan, result, check_mode):
    """Real logins: the new password logs in, the previous ones do not."""
    name = params["name"]
    password = params.get("role_password")
    can_log_in = plan.after["login"] and not plan.expired_after
    if password is not None and can_log_in and not (check_mode and plan.changed):
        if not accepts(params, name, password):
            raise LoginPasswordError("role_password does not log in as %s%s" % (
                name, "" if plan.changed else " and update_password is 'never'; set update_password: on_mismatch to set it"))
        result["login_verified"] = True
    elif password is not None and params["update_password"] == "never" and not can_log_in:
        raise LoginPasswordError("update_password is 'never' but %s cannot log in (login: %s, valid_until: %s)"
                                 % (name, plan.after["login"], plan.after["valid_until"]))
    rejected = params.get("rejected_passwords") or []
    if check_mode and plan.changed:
        return
    for index, old in enumerate(rejected):
        if accepts(params, name, old):
            raise LoginPasswordError("rejected_passwords[%d] still logs in as %s; the previous password must no longer work"
                                     % (index, name))
    result["rejected_verified"] = len(rejected)


def run(module):
    params = module.params
    conn, facts = connect(module)
    result = dict(changed=False, name=params["name"], login_verified=False, rejected_verified=0, sessions_terminated=0,
                  audited=False)
    try:
        try:
            plan = build_plan(conn, params, password_hasher(conn))
            recorder = statements(conn, plan, params.get("audit"), facts["current_user"])
            result.update(statements=recorder.statements, password_changed=plan.password_changed,
                          login=plan.after["login"], valid_until=plan.after["valid_until"], expired=plan.expired_after,
                          changed=plan.changed, audited=plan.changed and params.get("audit") is not None)
            if module._diff:  # pylint: disable=protected-access
                result["diff"] = plan.diff()
            conn.rollback()
            if plan.changed and not module.check_mode:
                _apply(conn, plan, recorder)
            if params["terminate_sessions"]:
                count = _sessions(conn, params["name"], not module.check_mode)
                conn.commit()
                result["sessions_terminated"] = count
                result["changed"] = result["changed"] or count > 0
            _verify(params, plan, result, module.check_mode)
        except (PlanError, LoginPasswordError) as exc:
            module.fail_json(msg=str(exc), **result)
        except AttemptError as exc:
            module.fail_json(msg="a login attempt as %s could not be made: %s" % (params["name"], exc), **result)
        except DRIVER.Error as exc:
            module.fail_json(msg="reading or changing role %s failed: %s" % (params["name"], DRIVER.error_message(exc)), **result)
    finally:
        conn.close()
    return result
