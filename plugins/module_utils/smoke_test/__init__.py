# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The work of the ``pg_smoke_test`` module: a read/write smoke test run in a transaction that is rolled back."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type
