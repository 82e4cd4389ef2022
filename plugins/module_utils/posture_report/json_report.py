# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The JSON report: every finding, the summary and when it was generated."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json


def render(title, generated_at, summary, findings):
    # generated_at comes first: files.py recognises a report's timestamp as the first one in the file.
    document = [("generated_at", generated_at), ("title", title), ("summary", summary), ("findings", findings)]
    # summary["audit_errors"] lists the account/region pairs that could not be audited (empty when all were).
    return json.dumps(dict(document), indent=2) + "\n"
