# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.rds_network.validation import (
    filter_values,
    input_errors,
    subnet_filters,
)


def params(**overrides):
    values = dict(name="app-db-db", subnet_group_name=None, security_group_name=None, state="present", subnet_ids=None,
                  subnet_filters=None, vpc_id=None, port=5432, allowed_cidrs=None, allowed_security_groups=None,
                  allow_public_cidr=False, egress_rules=None, tags=None)
    values.update(overrides)
    return values


def test_filters_become_ec2_filters_sorted_by_name_with_list_values():
    filters = subnet_filters(params(subnet_filters={"tag:tier": "private", "availability-zone": ["us-east-1a", "us-east-1b"]}))
    assert filters == [{"Name": "availability-zone", "Values": ["us-east-1a", "us-east-1b"]}, {"Name": "tag:tier", "Values": ["private"]}]


def test_vpc_id_narrows_the_filters_unless_a_vpc_filter_is_given():
    assert subnet_filters(params(subnet_filters={"tag:tier": "private"}, vpc_id="vpc-1")) == [
        {"Name": "tag:tier", "Values": ["private"]}, {"Name": "vpc-id", "Values": ["vpc-1"]}]
    assert subnet_filters(params(subnet_filters={"vpc-id": "vpc-2"}, vpc_id="vpc-1")) == [{"Name": "vpc-id", "Values": ["vpc-2"]}]


def test_scalar_values_are_strings_and_booleans_lower_case():
    assert filter_values(True) == ["true"] and filter_values(3) == ["3"] and filter_values(["a", False]) == ["a", "false"]


@pytest.mark.parametrize("filters, expected", [
    ({}, "subnet_filters: give at least one filter"),
    ({"tag:tier": ""}, "subnet_filters: tag:tier='' is not a filter value"),
    ({"tag:tier": None}, "subnet_filters: tag:tier=None is not a filter value"),
    ({"tag:tier": {"a": 1}}, "is not a filter value"),
    ({"tag:tier": []}, "subnet_filters: tag:tier=[] is not a filter value"),
    ({" ": "x"}, "subnet_filters: filter names must not be empty"),
])
def test_bad_filters_are_reported_before_any_request(filters, expected):
    errors = input_errors(params(subnet_filters=filters))
    assert any(expected in error for error in errors), errors


def test_filters_replace_subnet_ids_and_one_of_them_is_required():
    assert input_errors(params(subnet_filters={"tag:tier": "private"})) == []
    assert input_errors(params())[0].startswith("subnet_ids: required with state=present (or subnet_filters)")
    assert input_errors(params(state="absent")) == []
