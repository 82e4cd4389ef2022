# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read every page of a paginated AWS operation with botocore's own paginators."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def paginate(client, operation, **params):
    """The merged result of every page of ``operation`` (a snake_case client method name).

    The result has the same shape as one page, with the result lists joined, for example
    ``paginate(rds, "describe_engine_default_parameters", DBParameterGroupFamily="postgres16")
    ["EngineDefaults"]["Parameters"]``.
    """
    return client.get_paginator(operation).paginate(**params).build_full_result()
