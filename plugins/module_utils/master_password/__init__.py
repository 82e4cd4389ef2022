# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The work of the ``rds_master_password`` module: rotate the master password RDS manages in Secrets Manager."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type
