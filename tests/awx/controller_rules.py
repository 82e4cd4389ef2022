"""What the controller (AWX / Automation Controller) does with our content, re-implemented for tests.

- ``survey_spec_errors``: the checks the API applies when a survey spec is saved
  (awx/api/views JobTemplateSurveySpec._validate_spec_data), plus the answer rules applied to
  each default, so that a default the launch would reject is caught when the spec is written.
- ``survey_answer_errors`` / ``survey_extra_vars``: the checks at launch
  (SurveyJobTemplateMixin._survey_element_validation) and the extra vars a launch produces
  (answers, then defaults of unanswered non-password questions).
- ``render_injectors``: how a credential type's injectors are rendered for a job
  (CredentialType.inject_credential): a Jinja2 ImmutableSandboxedEnvironment, the credential's
  inputs plus ``tower`` / ``awx`` with ``filename.<label>``, files written with mode 0600 into
  the private data directory's env/, env vars outside the controller's block list.
"""

import os
import stat
import tempfile
import types

from jinja2 import sandbox

SURVEY_TYPES = ("text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect")
TEXT_TYPES = ("text", "textarea", "password")
CHOICE_TYPES = ("multiplechoice", "multiselect")
REQUIRED_KEYS = ("type", "question_name", "variable", "required")
# Environment variables a credential type may not set (awx/main/constants.py ENV_BLOCKLIST);
# names starting with ANSIBLE_ are refused too.
ENV_BLOCKLIST = frozenset((
    "VIRTUAL_ENV", "PATH", "PYTHONPATH", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID", "INVENTORY_UPDATE_ID",
    "AD_HOC_COMMAND_ID", "REST_API_URL", "REST_API_TOKEN", "MAX_EVENT_RES", "CALLBACK_QUEUE", "CALLBACK_CONNECTION",
    "CACHE", "JOB_CALLBACK_DEBUG", "INVENTORY_HOSTVARS", "AWX_HOST", "PROJECT_REVISION", "SUPERVISOR_CONFIG_PATH",
))


def choices_of(item):
    """The controller accepts choices as a list or as a newline-separated string."""
    choices = item.get("choices", [])
    if isinstance(choices, str):
        choices = [line for line in choices.split("\n") if line.strip()]
    return list(choices)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def survey_spec_errors(spec):
    """Every reason the controller would refuse this survey spec (empty list: accepted)."""
    if not isinstance(spec, dict):
        return ["survey_spec must be a dict, got %s" % type(spec).__name__]
    errors = []
    for key in ("name", "description", "spec"):
        if key not in spec:
            errors.append("survey_spec has no '%s'" % key)
    items = spec.get("spec")
    if not isinstance(items, list):
        return errors + ["survey_spec.spec must be a list"]
    if not items:
        errors.append("survey_spec.spec has no question")
    seen = set()
    for index, item in enumerate(items):
        errors.extend(_item_errors(index, item, seen))
    return errors


def _item_errors(index, item, seen):
    where = "question %d" % (index + 1)
    if not isinstance(item, dict):
        return ["%s is not a dict" % where]
    errors = ["%s has no '%s'" % (where, key) for key in REQUIRED_KEYS if key not in item]
    variable = item.get("variable")
    if variable is not None:
        where = "question %d (%s)" % (index + 1, variable)
        if not isinstance(variable, str) or not variable.isidentifier():
            errors.append("%s: variable must be a valid variable name" % where)
        elif variable in seen:
            errors.append("%s: variable '%s' is duplicated" % (where, variable))
        seen.add(variable)
    if "required" in item and not isinstance(item["required"], bool):
        errors.append("%s: required must be a boolean, got %r" % (where, item["required"]))
    qtype = item.get("type")
    if qtype is not None and qtype not in SURVEY_TYPES:
        return errors + ["%s: type '%s' is not one of %s" % (where, qtype, ", ".join(SURVEY_TYPES))]
    errors.extend(_bounds_errors(where, item))
    if qtype in CHOICE_TYPES:
        choices = choices_of(item)
        if not choices:
            errors.append("%s: %s needs choices" % (where, qtype))
        elif not all(isinstance(choice, str) for choice in choices):
            errors.append("%s: choices must be strings, got %r" % (where, choices))
        elif len(set(choices)) != len(choices):
            errors.append("%s: choices are duplicated: %r" % (where, choices))
    default = item.get("default")
    if default not in (None, "") and qtype in SURVEY_TYPES:
        errors.extend("%s: default %s" % (where, reason) for reason in _answer_problems(item, default))
    return errors


def _bounds_errors(where, item):
    errors = []
    qtype = item.get("type")
    for bound in ("min", "max"):
        if item.get(bound) in (None, ""):
            continue
        value = item[bound]
        if qtype in TEXT_TYPES and not (_is_int(value) and value >= 0):
            errors.append("%s: %s must be a non-negative integer length, got %r" % (where, bound, value))
        elif qtype == "integer" and not _is_int(value):
            errors.append("%s: %s must be an integer, got %r" % (where, bound, value))
        elif qtype == "float" and not _is_number(value):
            errors.append("%s: %s must be a number, got %r" % (where, bound, value))
    low, high = item.get("min"), item.get("max")
    if _is_number(low) and _is_number(high) and low > high:
        errors.append("%s: min %r is greater than max %r" % (where, low, high))
    return errors


def _answer_problems(item, value):
    """Why the controller would refuse ``value`` as the answer of ``item`` at launch."""
    qtype = item["type"]
    low, high = item.get("min"), item.get("max")
    low = None if low == "" else low
    high = None if high == "" else high
    if qtype in TEXT_TYPES:
        if not isinstance(value, str):
            return ["must be a string, got %r" % (value,)]
        if low is not None and len(value) < low:
            return ["is shorter than the minimum length %s" % low]
        if high is not None and len(value) > high:
            return ["is longer than the maximum length %s" % high]
        return []
    if qtype == "integer":
        if not _is_int(value):
            return ["must be an integer, got %r" % (value,)]
    elif qtype == "float":
        if not _is_number(value):
            return ["must be a number, got %r" % (value,)]
    if qtype in ("integer", "float"):
        if low is not None and value < low:
            return ["%r is below the minimum %s" % (value, low)]
        if high is not None and value > high:
            return ["%r is above the maximum %s" % (value, high)]
        return []
    choices = choices_of(item)
    if qtype == "multiplechoice":
        return [] if value in choices else ["%r is not one of the choices %r" % (value, choices)]
    values = value.split("\n") if isinstance(value, str) else value
    if not isinstance(values, list):
        return ["must be a list of choices, got %r" % (value,)]
    bad = [one for one in values if one not in choices]
    return ["%r are not among the choices %r" % (bad, choices)] if bad else []


def survey_answer_errors(spec, answers):
    """Every reason the controller would refuse these survey answers at launch."""
    errors = []
    for item in spec["spec"]:
        variable = item["variable"]
        answered = variable in answers and answers[variable] not in (None, "")
        if not answered:
            if item["required"] and item.get("default") in (None, ""):
                errors.append("'%s' value missing" % variable)
            continue
        errors.extend("'%s' %s" % (variable, reason) for reason in _answer_problems(item, answers[variable]))
    return errors


def survey_extra_vars(spec, answers):
    """The extra vars a launch with these answers gives the job (after survey_answer_errors is [])."""
    extra_vars = {}
    for item in spec["spec"]:
        variable = item["variable"]
        if variable in answers:
            extra_vars[variable] = answers[variable]
        elif item.get("default") not in (None, "") and item["type"] != "password":
            default = item["default"]
            if item["type"] == "multiselect" and isinstance(default, str):
                default = default.split("\n")
            extra_vars[variable] = default
    return extra_vars


def render_injectors(credential_type, inputs, private_data_dir):
    """Render a credential type's injectors for one job: returns (env, extra_vars, files).

    ``files`` maps each file label to the path written under ``<private_data_dir>/env``.
    """
    sandbox_env = sandbox.ImmutableSandboxedEnvironment()
    namespace = dict(inputs)
    for field in credential_type["inputs"].get("fields", []):
        if field.get("type") == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = False
    tower = types.SimpleNamespace()
    namespace["tower"] = namespace["awx"] = tower
    injectors = credential_type.get("injectors", {})
    env_dir = os.path.join(str(private_data_dir), "env")
    os.makedirs(env_dir, exist_ok=True)
    files = {}
    for label, template in injectors.get("file", {}).items():
        data = sandbox_env.from_string(template).render(**namespace)
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, "w") as stream:
            stream.write(data)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        if "." not in label:
            tower.filename = path
        else:
            if not hasattr(tower, "filename"):
                tower.filename = types.SimpleNamespace()
            setattr(tower.filename, label.split(".", 1)[1], path)
        files[label] = path
    env = {}
    for name, template in injectors.get("env", {}).items():
        if name.startswith("ANSIBLE_") or name in ENV_BLOCKLIST:
            raise ValueError("the controller refuses to inject the environment variable %s" % name)
        env[name] = sandbox_env.from_string(template).render(**namespace)
    extra_vars = {
        name: sandbox_env.from_string(template).render(**namespace)
        for name, template in injectors.get("extra_vars", {}).items()
    }
    return env, extra_vars, files
