# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared frame of the modules that converge one AWS resource (kms_key, db_secret, rds_network).

A converger validates the task's input before any request (all problems in one failure), reads,
plans, and applies the plan only outside check mode. Every AWS call goes through ``step`` so that
an error becomes one readable message that also says which changes were already applied; the next
run converges the rest.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.errors import AWS_EXCEPTIONS


def failure_message(errors):
    """One message for a list of problems: the problem itself, or ``N problems: 1) ... | 2) ...``."""
    if len(errors) == 1:
        return errors[0]
    return "%d problems: %s" % (len(errors), " | ".join("%d) %s" % (index + 1, error) for index, error in enumerate(errors)))


class Converger(object):
    """Base class: ``self.applied`` lists the writes done so far, for failure reports."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.applied = []

    @property
    def check_mode(self):
        return self.module.check_mode

    def fail(self, errors, **extra):
        if isinstance(errors, str):
            errors = [errors]
        details = dict(changed=bool(self.applied), errors=list(errors))
        if self.applied:
            details["applied_changes"] = list(self.applied)
        details.update(extra)
        self.module.fail_json(msg=failure_message(errors), **details)

    def step(self, doing, function, *args, **kwargs):
        """Run one AWS call; on error end the run with ``doing`` and what was applied before it."""
        try:
            return function(*args, **kwargs)
        except AWS_EXCEPTIONS as e:
            extra = dict(changed=bool(self.applied))
            if self.applied:
                extra["applied_changes"] = list(self.applied)
            self.module.fail_aws(e, doing=doing, **extra)
        return None  # not reached: fail_aws exits

    def write(self, label, doing, function, *args, **kwargs):
        """``step`` for a write; records ``label`` in ``self.applied`` once it succeeded."""
        result = self.step(doing, function, *args, **kwargs)
        self.applied.append(label)
        return result
