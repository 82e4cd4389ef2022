# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Plan extension changes from the desired list and the state read by catalog.read_state.

Pure functions: no SQL is run here. :func:`plan` returns a :class:`Plan` holding the actions in
execution order, the problems that must stop the task before any change, warnings, and the
before/after views for the diff.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib

from ansible_collections.innovate.aws_postgres.plugins.module_utils.extensions import preload

LATEST = "latest"


class Plan:
    def __init__(self):
        self.actions = []
        self.problems = []
        self.warnings = []
        self.before = {}
        self.after = {}

    @property
    def changed(self):
        return bool(self.actions)


def allowed_list(setting):
    """The names in ``rds.allowed_extensions``, or None when every extension is allowed."""
    if setting is None:
        return None
    names = [part for part in setting.replace(",", " ").split() if part]
    if not names or "*" in names:
        return None
    return names


def _version_key(version):
    parts = []
    for chunk in version.replace("-", ".").split("."):
        parts.append((0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk))
    return parts


def _sorted_versions(versions):
    return sorted(versions, key=_version_key)


def _unknown_message(name, available):
    close = difflib.get_close_matches(name, list(available), n=3, cutoff=0.6)
    hint = (" Did you mean %s?" % " or ".join(close)) if close else ""
    if name in preload.LIBRARY_ONLY:
        hint += (
            " %s is a library loaded through shared_preload_libraries, not an extension: set it with "
            "innovate.aws_postgres.rds_parameter_group." % name
        )
    return "extension %s is not available on this server.%s Available extensions: %s." % (
        name,
        hint,
        ", ".join(sorted(available)),
    )


def _order(entries, state):
    """``entries`` (present ones) ordered so that required extensions come first."""
    by_name = dict((entry["name"], entry) for entry in entries)
    ordered = []
    visiting = set()

    def visit(name):
        if name in visiting or any(item["name"] == name for item in ordered):
            return
        visiting.add(name)
        entry = by_name[name]
        for required in _requires(state, name, entry.get("_version")):
            if required in by_name:
                visit(required)
        ordered.append(entry)

    for entry in entries:
        visit(entry["name"])
    return ordered


def _version_info(state, name, version):
    for info in state["versions"].get(name, []):
        if info["version"] == version:
            return info
    return None


def _requires(state, name, version):
    info = _version_info(state, name, version)
    return list((info or {}).get("requires") or [])


def _check_create(state, entry, version, planned, loaded, allowed, missing_libraries):
    """Problems that would make CREATE EXTENSION fail; appends missing preload libraries."""
    name = entry["name"]
    problems = []
    if allowed is not None and name not in allowed:
        problems.append(
            "extension %s is not allowed on this server: rds.allowed_extensions is %r. Add %s to "
            "rds.allowed_extensions in the DB parameter group (a dynamic parameter, applied without a "
            "reboot by innovate.aws_postgres.rds_parameter_group) or remove it from this task."
            % (name, state.get("allowed_extensions"), name)
        )
    library = preload.missing_library(name, loaded)
    if library is not None:
        if name in preload.OPTIONAL_PRELOAD:
            entry.setdefault("_warnings", []).append(
                "extension %s is created, but its background worker needs %s in shared_preload_libraries, "
                "which this server has not loaded" % (name, library)
            )
        else:
            missing_libraries.append((name, library))
    info = _version_info(state, name, version) or {}
    fixed_schema = info.get("schema")
    if entry.get("schema") and fixed_schema and fixed_schema != entry["schema"]:
        problems.append(
            "extension %s is always installed in schema %s; schema=%s cannot be used"
            % (name, fixed_schema, entry["schema"])
        )
    if info.get("superuser") and not info.get("trusted") and not state["superuser"] and not state["rds_superuser"]:
        problems.append(
            "extension %s can only be created by a superuser (or, on RDS, a member of rds_superuser); %s is neither"
            % (name, state["current_user"])
        )
    if not state["superuser"] and not state["rds_superuser"] and not state["create_on_database"]:
        problems.append(
            "creating extension %s needs the CREATE privilege on database %s, which %s does not have"
            % (name, state["database"], state["current_user"])
        )
    for required in _requires(state, name, version):
        if required in state["installed"] or required in planned:
            continue
        if not entry.get("cascade"):
            problems.append(
                "extension %s requires extension %s, which is not installed: list %s before it in "
                "extensions, or set cascade: true" % (name, required, required)
            )
            continue
        if required not in state["available"]:
            problems.append("extension %s requires extension %s, which is not available" % (name, required))
            continue
        if allowed is not None and required not in allowed:
            problems.append(
                "extension %s requires extension %s (created by cascade), which rds.allowed_extensions (%r) "
                "does not allow" % (name, required, state.get("allowed_extensions"))
            )
        library = preload.missing_library(required, loaded)
        if library is not None and required not in preload.OPTIONAL_PRELOAD:
            missing_libraries.append((required, library))
    return problems


def _resolve_version(state, entry):
    """``(target version or None for 'no version wanted', problems)``."""
    name = entry["name"]
    wanted = entry.get("version")
    versions = [info["version"] for info in state["versions"].get(name, [])]
    if wanted is None:
        return None, []
    if wanted == LATEST:
        return state["available"][name], []
    if wanted not in versions:
        return None, [
            "extension %s has no version %s on this server; available versions: %s (default %s)"
            % (name, wanted, ", ".join(_sorted_versions(versions)), state["available"][name])
        ]
    return wanted, []


def plan(desired, state):
    """Compute the :class:`Plan` for ``desired`` (validated option dicts) against ``state``."""
    result = Plan()
    installed = state["installed"]
    available = state["available"]
    preload_visible = state.get("shared_preload_libraries") is not None
    loaded = preload.loaded_libraries(state.get("shared_preload_libraries"))
    allowed = allowed_list(state.get("allowed_extensions"))
    schemas = set(state.get("schemas") or [])
    missing_libraries = []
    seen = set()
    present, absent = [], []
    for entry in desired:
        name = entry["name"]
        if name in seen:
            result.problems.append("extension %s is listed more than once" % name)
            continue
        seen.add(name)
        current = installed.get(name)
        result.before[name] = _view(current)
        if entry["state"] == "absent":
            absent.append(entry)
            continue
        if name not in available:
            result.problems.append(_unknown_message(name, available))
            continue
        target, problems = _resolve_version(state, entry)
        result.problems.extend(problems)
        if problems:
            continue
        entry = dict(entry, _version=target or (current or {}).get("version") or available[name])
        if entry.get("schema") and entry["schema"] not in schemas:
            result.problems.append(
                "schema %s (for extension %s) does not exist in database %s; create it first"
                % (entry["schema"], name, state["database"])
            )
            continue
        present.append(entry)

    planned = set(entry["name"] for entry in present if entry["name"] not in installed)
    for entry in _order(present, state):
        name = entry["name"]
        current = installed.get(name)
        target = entry["_version"]
        if current is None:
            result.problems.extend(
                _check_create(state, entry, target, planned, loaded, allowed, missing_libraries)
            )
            result.warnings.extend(entry.get("_warnings", []))
            result.actions.append(
                dict(
                    action="create",
                    name=name,
                    schema=entry.get("schema"),
                    version=entry.get("version") if entry.get("version") not in (None, LATEST) else None,
                    cascade=bool(entry.get("cascade")),
                )
            )
            result.after[name] = dict(
                state="present",
                version=target,
                schema=(
                    entry.get("schema")
                    or (_version_info(state, name, target) or {}).get("schema")
                    or state.get("current_schema")
                ),
            )
            continue
        after = dict(state="present", version=current["version"], schema=current["schema"])
        targets = state["update_targets"].get(name, [])
        already_newer = (
            entry.get("version") == LATEST
            and target not in targets
            and _version_key(current["version"]) >= _version_key(target)
        )
        if entry.get("version") is not None and target != current["version"] and not already_newer:
            if target not in targets:
                result.problems.append(
                    "extension %s cannot be updated from %s to %s: no update path; reachable versions: %s"
                    % (name, current["version"], target, ", ".join(_sorted_versions(targets)) or "none")
                )
            else:
                result.actions.append(dict(action="update", name=name, version=target))
                after["version"] = target
        if entry.get("schema") and entry["schema"] != current["schema"]:
            if not current.get("relocatable"):
                result.problems.append(
                    "extension %s is installed in schema %s and is not relocatable, so it cannot move to "
                    "schema %s (drop and recreate it instead)" % (name, current["schema"], entry["schema"])
                )
            else:
                result.actions.append(dict(action="set_schema", name=name, schema=entry["schema"]))
                after["schema"] = entry["schema"]
        result.after[name] = after

    dropping = set(entry["name"] for entry in absent if entry["name"] in installed)
    for entry in sorted(absent, key=lambda item: _drop_rank(item["name"], state, dropping)):
        name = entry["name"]
        result.after[name] = dict(state="absent")
        if name not in installed:
            continue
        dependents = [dep for dep in state["dependents"].get(name, []) if dep not in dropping]
        if dependents and not entry.get("cascade"):
            result.problems.append(
                "extension %s cannot be dropped: extension(s) %s depend on it; drop them too or set cascade: true"
                % (name, ", ".join(dependents))
            )
            continue
        result.actions.append(dict(action="drop", name=name, cascade=bool(entry.get("cascade"))))

    if missing_libraries and not preload_visible:
        result.warnings.append(
            "%s cannot read shared_preload_libraries (it needs pg_read_all_settings, which rds_superuser has), so "
            "whether %s can be created is left to the server" % (
                state["current_user"], ", ".join(sorted(set(name for name, _library in missing_libraries))))
        )
    elif missing_libraries:
        libraries = sorted(set(library for _name, library in missing_libraries))
        names = sorted(set(name for name, _library in missing_libraries))
        result.problems.append(
            "extension(s) %s need %s in shared_preload_libraries, which this server has not loaded "
            "(shared_preload_libraries = %r). %s"
            % (", ".join(names), ", ".join(libraries), state.get("shared_preload_libraries") or "",
               preload.remedy(libraries, loaded))
        )
    return result


def _drop_rank(name, state, dropping):
    """Drop dependents before the extensions they require: more dependents being dropped = later."""
    seen = set()
    stack = [name]
    while stack:
        for dependent in state["dependents"].get(stack.pop(), []):
            if dependent in dropping and dependent not in seen:
                seen.add(dependent)
                stack.append(dependent)
    return (len(seen), name)


def _view(current):
    if current is None:
        return dict(state="absent")
    return dict(state="present", version=current["version"], schema=current["schema"])
