# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The work of the ``rds_restore_points`` module: the snapshot and point in time a restore test uses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type
