"""Every survey of awx/vars by the controller's rules (controller_rules.py), the validator's own
negative cases, and the references between the pieces of controller content."""

import copy
import os
import pathlib
import re
import subprocess
import sys

import pytest
import yaml

from controller_rules import survey_answer_errors, survey_extra_vars, survey_spec_errors

REPO = pathlib.Path(__file__).resolve().parents[2]
# The playbooks that need a job template.
EXPECTED_PLAYBOOKS = {
    "site.yml", "playbooks/posture_audit.yml", "playbooks/restore_test.yml", "playbooks/logical_backup.yml",
    "playbooks/dr_drill.yml", "playbooks/dr_failover.yml", "playbooks/rotate_credentials.yml",
    "playbooks/migrate_schema.yml", "playbooks/migrate_to_aurora.yml", "playbooks/blue_green_upgrade.yml",
}


def surveyed(controller):
    """(name, survey_spec) of every template and workflow with a survey."""
    items = controller["controller_templates"] + controller["controller_workflows"]
    return [(item["name"], item["survey_spec"]) for item in items if item.get("survey_enabled")]


def test_every_job_template_has_a_valid_survey(controller):
    templates = controller["controller_templates"]
    assert EXPECTED_PLAYBOOKS <= {template["playbook"] for template in templates}
    for template in templates:
        assert template.get("survey_enabled") is True, "%s has no survey" % template["name"]
    problems = {name: survey_spec_errors(spec) for name, spec in surveyed(controller)}
    assert {name: errors for name, errors in problems.items() if errors} == {}


def test_the_defaults_alone_are_an_accepted_launch_except_for_what_must_be_asked(controller):
    for name, spec in surveyed(controller):
        errors = survey_answer_errors(spec, {})
        must_ask = {item["variable"] for item in spec["spec"] if item["required"] and item.get("default") in (None, "")}
        assert {error.split("'")[1] for error in errors} == must_ask, name


def test_survey_types_used_cover_the_controllers_types(controller):
    used = {item["type"] for _name, spec in surveyed(controller) for item in spec["spec"]}
    assert {"text", "textarea", "integer", "float", "multiplechoice"} <= used


def _question(**fields):
    item = {"question_name": "Q", "variable": "q", "type": "text", "required": True}
    item.update(fields)
    return item


def _spec(*items):
    return {"name": "s", "description": "d", "spec": list(items)}


BAD_SPECS = {
    "no spec list": ({"name": "s", "description": "d"}, "has no 'spec'"),
    "empty spec": (_spec(), "has no question"),
    "missing required key": (_spec({"question_name": "Q", "variable": "q", "type": "text"}), "has no 'required'"),
    "required not a bool": (_spec(_question(required="yes")), "required must be a boolean"),
    "unknown type": (_spec(_question(type="boolean")), "type 'boolean' is not one of"),
    "duplicate variable": (_spec(_question(), _question(question_name="Q2")), "variable 'q' is duplicated"),
    "variable not an identifier": (_spec(_question(variable="db-name")), "valid variable name"),
    "choice without choices": (_spec(_question(type="multiplechoice")), "multiplechoice needs choices"),
    "duplicate choices": (_spec(_question(type="multiselect", choices=["a", "a"])), "choices are duplicated"),
    "non-string choices": (_spec(_question(type="multiplechoice", choices=[1, 2])), "choices must be strings"),
    "default not a choice": (_spec(_question(type="multiplechoice", choices=["a", "b"], default="c")), "is not one of the choices"),
    "multiselect default outside": (_spec(_question(type="multiselect", choices="a\nb", default="a\nz")), "are not among the choices"),
    "integer default of the wrong type": (_spec(_question(type="integer", default="5")), "must be an integer"),
    "integer default is a bool": (_spec(_question(type="integer", default=True)), "must be an integer"),
    "float default of the wrong type": (_spec(_question(type="float", default="1.5")), "must be a number"),
    "text default of the wrong type": (_spec(_question(default=5)), "must be a string"),
    "integer default below min": (_spec(_question(type="integer", min=1, max=10, default=0)), "below the minimum"),
    "float default above max": (_spec(_question(type="float", min=0, max=1.5, default=2.0)), "above the maximum"),
    "text default too long": (_spec(_question(max=3, default="abcd")), "longer than the maximum length"),
    "text default too short": (_spec(_question(min=5, default="abc")), "shorter than the minimum length"),
    "min above max": (_spec(_question(type="integer", min=5, max=1)), "min 5 is greater than max 1"),
    "integer bound not an integer": (_spec(_question(type="integer", max=2.5)), "max must be an integer"),
    "text bound negative": (_spec(_question(min=-1)), "non-negative integer length"),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_the_validator_refuses_each_bad_survey(case):
    spec, expected = BAD_SPECS[case]
    errors = survey_spec_errors(spec)
    assert any(expected in error for error in errors), errors


def test_a_real_survey_broken_in_one_place_is_refused(controller):
    """Every kind of mistake made in a copy of a real survey is caught (the rules are not vacuous)."""
    template = next(t for t in controller["controller_templates"] if t["playbook"] == "playbooks/restore_test.yml")
    integer = next(i for i, item in enumerate(template["survey_spec"]["spec"]) if item["type"] == "integer")
    mutations = {
        "default above max": lambda spec: spec["spec"][integer].update(default=spec["spec"][integer]["max"] + 1),
        "duplicated variable": lambda spec: spec["spec"].append(copy.deepcopy(spec["spec"][0])),
        "wrong default type": lambda spec: spec["spec"][integer].update(default=str(spec["spec"][integer]["default"])),
        "unknown type": lambda spec: spec["spec"][0].update(type="checkbox"),
    }
    assert survey_spec_errors(template["survey_spec"]) == []
    for name, mutate in mutations.items():
        spec = copy.deepcopy(template["survey_spec"])
        mutate(spec)
        assert survey_spec_errors(spec), name


ANSWER_SPEC = _spec(
    _question(variable="reason", type="textarea", min=10, max=50),
    _question(variable="minutes", type="integer", min=1, max=60, default=30),
    _question(variable="ratio", type="float", min=0, max=1, required=False),
    _question(variable="action", type="multiplechoice", choices=["elevate", "revoke"], default="elevate"),
    _question(variable="regions", type="multiselect", choices=["us-east-1", "us-west-2"], required=False),
    _question(variable="token", type="password", required=False, default="$encrypted$"),
)


@pytest.mark.parametrize("answers, expected", [
    ({}, "'reason' value missing"),
    ({"reason": "too short"}, "shorter than the minimum length"),
    ({"reason": "long enough reason", "minutes": 61}, "above the maximum"),
    ({"reason": "long enough reason", "minutes": "5"}, "must be an integer"),
    ({"reason": "long enough reason", "ratio": 1.5}, "above the maximum"),
    ({"reason": "long enough reason", "action": "delete"}, "is not one of the choices"),
    ({"reason": "long enough reason", "regions": ["eu-west-1"]}, "are not among the choices"),
])
def test_launch_answers_are_checked_like_the_controller(answers, expected):
    errors = survey_answer_errors(ANSWER_SPEC, answers)
    assert any(expected in error for error in errors), errors


def test_a_launch_gets_answers_and_defaults_but_no_password_default():
    answers = {"reason": "long enough reason", "regions": ["us-west-2"]}
    assert survey_answer_errors(ANSWER_SPEC, answers) == []
    assert survey_extra_vars(ANSWER_SPEC, answers) == {
        "reason": "long enough reason", "minutes": 30, "action": "elevate", "regions": ["us-west-2"],
    }


def test_controller_content_references_resolve(controller):
    def names(kind):
        return {item["name"] for item in controller[kind]}

    organizations = names("controller_organizations")
    for kind in ("controller_projects", "controller_inventories", "controller_credentials", "controller_execution_environments",
                 "controller_templates", "controller_workflows"):
        for item in controller[kind]:
            assert item["organization"] in organizations, "%s %s" % (kind, item["name"])
    credential_types = names("controller_credential_types")
    assert {item["credential_type"] for item in controller["controller_credentials"]} <= credential_types
    for source in controller["controller_inventory_sources"]:
        assert source["inventory"] in names("controller_inventories")
        assert source["source"] == "scm" and source["source_project"] in names("controller_projects")
        assert (REPO / source["source_path"] / "hosts.yml").is_file(), source["source_path"]
    for project in controller["controller_projects"]:
        assert project["default_environment"] in names("controller_execution_environments")
    for template in controller["controller_templates"]:
        assert template["project"] in names("controller_projects")
        assert template["inventory"] in names("controller_inventories")
        assert template["execution_environment"] in names("controller_execution_environments")
        assert set(template["credentials"]) <= names("controller_credentials")


def test_every_template_points_at_a_playbook_of_the_project(controller):
    missing = sorted(t["playbook"] for t in controller["controller_templates"] if not (REPO / t["playbook"]).is_file())
    assert missing == [], "job templates name playbooks the project does not have"


def test_workflows_chain_templates_and_the_failover_waits_for_an_approval(controller):
    templates = {template["name"]: template for template in controller["controller_templates"]}
    workflows = {workflow["name"]: workflow for workflow in controller["controller_workflows"]}
    for workflow in workflows.values():
        nodes = {node["identifier"]: node for node in workflow["workflow_nodes"]}
        assert len(nodes) == len(workflow["workflow_nodes"]), "duplicate node identifiers in %s" % workflow["name"]
        targets = set()
        for node in nodes.values():
            for related in node.get("related", {}).values():
                targets |= {link["identifier"] for link in related}
            ujt = node["unified_job_template"]
            if ujt["type"] == "job_template":
                template = templates[ujt["name"]]
                # Required questions without a default must be answered by the workflow's survey or the node.
                asked = {item["variable"] for item in workflow.get("survey_spec", {}).get("spec", [])} | set(node.get("extra_data", {}))
                unanswered = {item["variable"] for item in template["survey_spec"]["spec"]
                              if item["required"] and item.get("default") in (None, "")} - asked
                assert not unanswered, "%s: node %s leaves %s unanswered" % (workflow["name"], node["identifier"], unanswered)
                if "job_type" in node:
                    assert template.get("ask_job_type_on_launch"), "%s cannot change the job type" % template["name"]
            else:
                assert ujt["type"] == "workflow_approval" and 0 < ujt["timeout"] <= 86400
        assert targets <= set(nodes)
        roots = set(nodes) - targets
        assert len(roots) == 1, "%s has roots %s" % (workflow["name"], roots)
        if workflow.get("survey_enabled"):
            assert survey_spec_errors(workflow["survey_spec"]) == []

    chain = workflows["aws_postgres provision, configure, back up and audit"]["workflow_nodes"]
    order = [node["identifier"] for node in chain]
    assert order == ["provision", "configure", "backup", "posture audit"]
    for node, following in zip(chain, order[1:]):
        assert node["related"]["success_nodes"] == [{"identifier": following}]
    failover = workflows["aws_postgres DR failover"]["workflow_nodes"]
    assert failover[0]["unified_job_template"]["type"] == "workflow_approval"
    assert failover[0]["related"]["success_nodes"] == [{"identifier": "failover"}]
    assert "failure_nodes" not in failover[0]["related"], "a rejected approval must not lead anywhere"
    assert templates[failover[1]["unified_job_template"]["name"]]["playbook"] == "playbooks/dr_failover.yml"


def test_apply_playbook_applies_every_kind(controller):
    play = yaml.safe_load((REPO / "awx" / "apply.yml").read_text())[0]
    text = (REPO / "awx" / "apply.yml").read_text()
    for kind in controller:
        assert "{{ %s }}" % kind in text or "%s |" % kind in text, "awx/apply.yml does not apply %s" % kind
    assert play["hosts"] == "localhost" and play["gather_facts"] is False


def test_apply_playbook_passes_a_syntax_check(tmp_path):
    """ansible-playbook --syntax-check with a stand-in awx.awx collection (the real one is an
    optional dependency that is not installed here): the play's structure and the module names."""
    text = (REPO / "awx" / "apply.yml").read_text()
    modules = sorted(set(re.findall(r"^\s+awx\.awx\.([a-z_]+):", text, re.MULTILINE)))
    assert modules, "awx/apply.yml uses no awx.awx module"
    collection = tmp_path / "ansible_collections" / "awx" / "awx"
    (collection / "plugins" / "modules").mkdir(parents=True)
    (collection / "galaxy.yml").write_text("namespace: awx\nname: awx\nversion: 0.0.1\nreadme: README.md\nauthors: [tests]\n")
    for module in modules:
        (collection / "plugins" / "modules" / ("%s.py" % module)).write_text("# stand-in for the syntax check\n")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(tmp_path), ANSIBLE_CONFIG=str(REPO / "ansible.cfg"))
    completed = subprocess.run([str(pathlib.Path(sys.executable).parent / "ansible-playbook"), "--syntax-check", "awx/apply.yml"],
                               cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr
