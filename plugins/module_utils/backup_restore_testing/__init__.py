# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The work of the ``backup_restore_testing`` module: input checks, canonical forms, AWS Backup calls, plan and apply."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type
