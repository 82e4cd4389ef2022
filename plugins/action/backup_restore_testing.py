# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs innovate.aws_postgres.backup_restore_testing in the worker process on the controller (see plugin_utils/in_process.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.innovate.aws_postgres.plugins.plugin_utils.in_process import InProcessModuleAction, preload

preload("backup_restore_testing")


class ActionModule(InProcessModuleAction):
    pass
