# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's identity, sent to AWS in the user agent of every client."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

COLLECTION_NAME = "innovate.aws_postgres"
COLLECTION_VERSION = "0.1.0"
USER_AGENT_EXTRA = "%s/%s" % (COLLECTION_NAME, COLLECTION_VERSION)
