"""The user agent version follows galaxy.yml."""

import pathlib

import yaml

from ansible_collections.innovate.aws_postgres.plugins.module_utils.aws.version import (
    COLLECTION_NAME,
    COLLECTION_VERSION,
    USER_AGENT_EXTRA,
)

GALAXY = pathlib.Path(__file__).resolve().parents[5] / "galaxy.yml"


def test_version_matches_galaxy_yml():
    galaxy = yaml.safe_load(GALAXY.read_text())
    assert COLLECTION_NAME == "%s.%s" % (galaxy["namespace"], galaxy["name"])
    assert COLLECTION_VERSION == galaxy["version"]
    assert USER_AGENT_EXTRA == "%s/%s" % (COLLECTION_NAME, COLLECTION_VERSION)
