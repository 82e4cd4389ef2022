# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The tag options of every taggable resource managed by innovate.aws_postgres (see
    # plugins/module_utils/aws/tags.py).
    DOCUMENTATION = r"""
options:
  tags:
    description:
      - The tags the resource should have, as a dict of key and value. Values are stored as text.
      - When not set, the resource's tags are left as they are.
      - Keys starting with C(aws:) are reserved for AWS and cannot be set; tags with such keys
        that AWS added are never removed.
    type: dict
  purge_tags:
    description:
      - Whether to remove tags that are not in O(tags). Has no effect when O(tags) is not set.
      - With V(false), tags are only added or updated.
    type: bool
    default: true
"""
