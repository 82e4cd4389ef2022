# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The logic of ``rds_blue_green``: api (describe/normalize), validation (input and source checks), plan, wait, converge."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type
