# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Render the chosen formats and write the files that changed (none in check mode), with a diff."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import io
import os
import re
import tempfile

from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture_report import html, json_report, junit, markdown, summary as summaries

FORMATS = ("html", "markdown", "json", "junit")
RENDERERS = {"html": html.render, "markdown": markdown.render, "json": json_report.render, "junit": junit.render}
EXTENSIONS = {"html": ".html", "markdown": ".md", "json": ".json", "junit": ".junit.xml"}
# Every format writes its generation time first, as UTC ISO 8601 to the second.
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def read(path):
    try:
        with io.open(path, "r", encoding="utf-8") as handle:
            return handle.read()
    except (IOError, OSError, UnicodeDecodeError):
        return None


def render(fmt, title, generated_at, findings, threshold, errors):
    summary = summaries.summarize(findings, threshold, errors)
    return RENDERERS[fmt](title, generated_at, summary, findings)


def plan_file(fmt, path, title, findings, threshold, errors, generated_at):
    """(before, after) for one report: an unchanged report keeps its time stamp, so it is not rewritten."""
    before = read(path)
    if before is not None:
        stamp = TIMESTAMP.search(before)
        if stamp and render(fmt, title, stamp.group(0), findings, threshold, errors) == before:
            return before, before
    return before, render(fmt, title, generated_at, findings, threshold, errors)


def write_atomically(path, content):
    directory = os.path.dirname(path)
    handle, temp = tempfile.mkstemp(prefix=".posture-", dir=directory)
    try:
        with io.open(handle, "w", encoding="utf-8", newline="") as out:
            out.write(content)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def write_reports(output_dir, basename, formats, title, raw_findings, threshold, check_mode, generated_at=None, errors=()):
    """Returns (changed, paths {format: path}, summary, diffs)."""
    findings = summaries.prepare(raw_findings)
    generated_at = generated_at or now()
    paths, diffs, changed = {}, [], False
    planned = []
    for fmt in formats:
        path = os.path.join(output_dir, basename + EXTENSIONS[fmt])
        before, after = plan_file(fmt, path, title, findings, threshold, errors, generated_at)
        paths[fmt] = path
        if before != after:
            changed = True
            planned.append((path, after))
            diffs.append({"before_header": path if before is not None else "%s (absent)" % path, "after_header": path,
                          "before": before or "", "after": after})
    if planned and not check_mode:
        if not os.path.isdir(output_dir):
            os.makedirs(output_dir)
        for path, content in planned:
            write_atomically(path, content)
    return changed, paths, summaries.summarize(findings, threshold, errors), diffs
