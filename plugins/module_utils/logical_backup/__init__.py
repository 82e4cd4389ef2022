# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The work of the ``pg_logical_backup`` module: find the endpoint, pg_dump each database, upload it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type
