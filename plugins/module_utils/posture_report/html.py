# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The HTML report: one self-contained page (inline CSS and JavaScript, no external asset).

The summary by severity and status comes first, then a table per account and region with every
finding's evidence and remediation. Filters (status, severity, free text over control id, title and
resource) run in the page's JavaScript. Every value is HTML-escaped, the data lives only in escaped
text and attributes (never inside the script), and a Content-Security-Policy forbids loading or
sending anything, so a hostile resource name can neither run code nor call out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from html import escape

from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture_report.summary import SEVERITIES, STATUSES, group_by_target

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
STATUS_LABELS = {"FAIL": "Fail", "PASS": "Pass", "NOT_APPLICABLE": "Not applicable"}

STYLE = u"""
:root { --fail: #b42318; --pass: #067647; --na: #667085; --line: #e4e7ec; --muted: #475467; --bg: #f9fafb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #101828; background: var(--bg); }
header { background: #101828; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header p { margin: 0; color: #d0d5dd; }
main { padding: 20px 32px 48px; max-width: 1600px; }
.verdict { padding: 12px 16px; border-radius: 8px; font-weight: 600; margin-bottom: 16px; }
.verdict.bad { background: #fef3f2; color: var(--fail); border: 1px solid #fecdca; }
.verdict.good { background: #ecfdf3; color: var(--pass); border: 1px solid #abefc6; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 140px; }
.card .n { font-size: 26px; font-weight: 700; display: block; }
.card.fail .n { color: var(--fail); } .card.pass .n { color: var(--pass); } .card.na .n { color: var(--na); }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 10px; text-align: left; vertical-align: top; }
th { background: #f2f4f7; font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
table.matrix { width: auto; margin-bottom: 24px; border: 1px solid var(--line); }
table.matrix td.num, table.matrix th.num { text-align: right; min-width: 90px; }
.filters { position: sticky; top: 0; z-index: 1; background: var(--bg); padding: 10px 0; display: flex; flex-wrap: wrap; gap: 12px; align-items: center;
  border-bottom: 1px solid var(--line); margin-bottom: 16px; }
.filters label { font-weight: 600; color: var(--muted); }
.filters select, .filters input { font: inherit; padding: 4px 8px; border: 1px solid #d0d5dd; border-radius: 6px; }
.filters input { min-width: 280px; }
section.target { margin-bottom: 28px; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
section.target h2 { margin: 0; padding: 10px 14px; font-size: 16px; background: #fff; border-bottom: 1px solid var(--line); }
section.target h2 small { font-weight: 400; color: var(--muted); margin-left: 8px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.s-FAIL { background: #fee4e2; color: var(--fail); } .s-PASS { background: #dcfae6; color: var(--pass); }
.s-NOT_APPLICABLE { background: #f2f4f7; color: var(--na); }
.v-CRITICAL { background: #7a271a; color: #fff; } .v-HIGH { background: #d92d20; color: #fff; } .v-MEDIUM { background: #f79009; color: #fff; }
.v-LOW { background: #fdb022; color: #101828; } .v-INFORMATIONAL { background: #d1e9ff; color: #175cd3; }
td.resource { overflow-wrap: anywhere; max-width: 360px; }
td.resource .arn { color: var(--muted); font-size: 12px; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f2f4f7; padding: 1px 4px; border-radius: 4px;
  white-space: pre-wrap; overflow-wrap: anywhere; }
tr.finding.st-FAIL td:first-child { border-left: 4px solid var(--fail); }
.empty { padding: 24px; color: var(--muted); }
"""

SCRIPT = u"""
(function () {
  "use strict";
  var status = document.getElementById("filter-status");
  var severity = document.getElementById("filter-severity");
  var text = document.getElementById("filter-text");
  var shown = document.getElementById("shown-count");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.target"));
  var ranks = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3, INFORMATIONAL: 4 };
  function apply() {
    var wantStatus = status.value, wantSeverity = severity.value;
    var words = text.value.toLowerCase().split(/\\s+/).filter(function (w) { return w.length > 0; });
    var visible = 0;
    rows.forEach(function (row) {
      var ok = (!wantStatus || row.getAttribute("data-status") === wantStatus);
      if (ok && wantSeverity) {
        ok = wantSeverity.charAt(0) === ">" ? ranks[row.getAttribute("data-severity")] <= ranks[wantSeverity.slice(1)]
                                           : row.getAttribute("data-severity") === wantSeverity;
      }
      if (ok && words.length) {
        var haystack = row.getAttribute("data-search");
        ok = words.every(function (w) { return haystack.indexOf(w) !== -1; });
      }
      row.hidden = !ok;
      if (ok) { visible += 1; }
    });
    sections.forEach(function (section) {
      var count = section.querySelectorAll("tr.finding:not([hidden])").length;
      section.hidden = count === 0;
      section.querySelector(".section-shown").textContent = String(count);
    });
    shown.textContent = String(visible);
    var params = [];
    if (wantStatus) { params.push("status=" + encodeURIComponent(wantStatus)); }
    if (wantSeverity) { params.push("severity=" + encodeURIComponent(wantSeverity)); }
    if (text.value) { params.push("q=" + encodeURIComponent(text.value)); }
    if (window.history && window.history.replaceState) {
      try { window.history.replaceState(null, "", params.length ? "#" + params.join("&") : window.location.pathname); } catch (e) { /* file: URLs */ }
    }
  }
  function fromHash() {
    window.location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var kv = pair.split("="), value = decodeURIComponent(kv[1] || "");
      if (kv[0] === "status") { status.value = value; }
      if (kv[0] === "severity") { severity.value = value; }
      if (kv[0] === "q") { text.value = value; }
    });
  }
  [status, severity].forEach(function (el) { el.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  document.getElementById("filter-reset").addEventListener("click", function () {
    status.value = ""; severity.value = ""; text.value = ""; apply();
  });
  Array.prototype.slice.call(document.querySelectorAll("[data-filter-status]")).forEach(function (el) {
    el.addEventListener("click", function () {
      status.value = el.getAttribute("data-filter-status");
      severity.value = el.getAttribute("data-filter-severity") || "";
      apply();
      document.getElementById("findings").scrollIntoView();
    });
  });
  fromHash();
  apply();
  document.body.setAttribute("data-ready", "true");
}());
"""


def _e(value):
    return escape(value, quote=True)


def _cards(summary):
    counts = summary["by_status"]
    cards = [("total", "Findings", summary["total"], ""), ("fail", "Failed", counts["FAIL"], "FAIL"),
             ("pass", "Passed", counts["PASS"], "PASS"), ("na", "Not applicable", counts["NOT_APPLICABLE"], "NOT_APPLICABLE")]
    out = [u'<div class="cards">']
    for css, label, number, status in cards:
        out.append(u'<div class="card %s" data-filter-status="%s" title="Show these findings"><span class="n" id="count-%s">%d</span>%s</div>'
                   % (css, status, css, number, label))
    out.append(u'<div class="card"><span class="n" id="count-resources">%d</span>Resources</div>' % summary["resources"])
    out.append(u'<div class="card"><span class="n" id="count-targets">%d</span>Account/region pairs</div>' % len(summary["targets"]))
    out.append(u"</div>")
    return out


def _matrix(summary):
    out = [u'<table class="matrix" id="summary-matrix"><thead><tr><th>Severity</th>']
    out += [u'<th class="num">%s</th>' % STATUS_LABELS[status] for status in STATUSES]
    out.append(u'<th class="num">Total</th></tr></thead><tbody>')
    matrix = summary["by_severity_and_status"]
    for severity in SEVERITIES:
        out.append(u'<tr><td><span class="badge v-%s">%s</span></td>' % (severity, severity))
        for status in STATUSES:
            out.append(u'<td class="num" data-severity="%s" data-status="%s">%d</td>' % (severity, status, matrix[severity][status]))
        out.append(u'<td class="num" data-severity="%s" data-status="">%d</td></tr>' % (severity, summary["by_severity"][severity]))
    out.append(u"</tbody></table>")
    return out


def _filters(summary):
    out = [u'<div class="filters" id="findings">', u'<label for="filter-status">Status</label>',
           u'<select id="filter-status"><option value="">All</option>']
    out += [u'<option value="%s">%s</option>' % (status, STATUS_LABELS[status]) for status in STATUSES]
    out += [u"</select>", u'<label for="filter-severity">Severity</label>', u'<select id="filter-severity"><option value="">All</option>']
    out += [u'<option value="%s">%s</option>' % (severity, severity) for severity in SEVERITIES]
    out += [u'<option value="&gt;%s">%s and above</option>' % (severity, severity) for severity in SEVERITIES[1:4]]
    out += [u"</select>", u'<label for="filter-text">Search</label>',
            u'<input id="filter-text" type="search" placeholder="control id, title, resource, evidence...">',
            u'<button type="button" id="filter-reset">Reset</button>',
            u'<span>Showing <strong id="shown-count">%d</strong> of <strong id="total-count">%d</strong> findings</span>'
            % (summary["total"], summary["total"]), u"</div>"]
    return out


def _row(finding):
    evidence = finding["evidence"]
    search = u" ".join([finding["control_id"], finding["title"], finding["resource_type"], finding["resource_id"], finding["resource_arn"],
                        evidence["field"], evidence["value"], finding["remediation"]]).lower()
    return (
        u'<tr class="finding st-%s" data-status="%s" data-severity="%s" data-control="%s" data-search="%s">'
        u'<td><span class="badge s-%s">%s</span></td><td><span class="badge v-%s">%s</span></td>'
        u'<td><strong class="control">%s</strong><br>%s</td>'
        u'<td class="resource">%s <span class="rid">%s</span><br><span class="arn">%s</span></td>'
        u'<td class="evidence"><code>%s</code> = <code>%s</code></td><td class="remediation">%s</td></tr>'
    ) % (finding["status"], finding["status"], finding["severity"], _e(finding["control_id"]), _e(search),
         finding["status"], STATUS_LABELS[finding["status"]], finding["severity"], finding["severity"],
         _e(finding["control_id"]), _e(finding["title"]), _e(finding["resource_type"]), _e(finding["resource_id"]),
         _e(finding["resource_arn"]), _e(evidence["field"]), _e(evidence["value"]), _e(finding["remediation"]))


def _section(account_id, region, items):
    failed = sum(1 for f in items if f["status"] == "FAIL")
    out = [u'<section class="target" data-account="%s" data-region="%s">' % (_e(account_id), _e(region)),
           u'<h2>Account %s &middot; %s<small><span class="section-shown">%d</span> of %d shown &middot; %d failed</small></h2>'
           % (_e(account_id or u"(unknown)"), _e(region or u"(unknown)"), len(items), len(items), failed),
           u"<table><thead><tr><th>Status</th><th>Severity</th><th>Control</th><th>Resource</th><th>Evidence</th><th>Remediation</th></tr></thead><tbody>"]
    out += [_row(finding) for finding in items]
    out.append(u"</tbody></table></section>")
    return out


def render(title, generated_at, summary, findings):
    threshold = summary["fail_on_severity"]
    if threshold == "none":
        verdict = (u"good", u"No severity fails the audit (fail_on_severity: none).")
    elif summary["failed_at_or_above"]:
        verdict = (u"bad", u"%d failing findings at or above %s: the audit fails." % (summary["failed_at_or_above"], threshold))
    else:
        verdict = (u"good", u"No failing finding at or above %s: the audit passes." % threshold)
    # generated_at comes first: files.py recognises a report's timestamp as the first one in the file.
    out = [u"<!DOCTYPE html>", u'<html lang="en"><head>', u'<meta name="generated-at" content="%s">' % _e(generated_at),
           u'<meta charset="utf-8">', u'<meta http-equiv="Content-Security-Policy" content="%s">' % CSP,
           u'<meta name="viewport" content="width=device-width, initial-scale=1">', u"<title>%s</title>" % _e(title),
           u"<style>%s</style>" % STYLE, u"</head><body>",
           u"<header><h1>%s</h1><p>Generated at %s &middot; %d findings on %d resources</p></header><main>"
           % (_e(title), _e(generated_at), summary["total"], summary["resources"]),
           u'<div class="verdict %s" id="verdict" data-failed-at-or-above="%d">%s</div>' % (verdict[0], summary["failed_at_or_above"], _e(verdict[1]))]
    errors = summary["audit_errors"]
    if errors:
        out.append(u'<div class="verdict bad" id="audit-errors"><p>%d account/region pairs could not be audited:</p><ul>' % len(errors))
        out += [u'<li class="audit-error">Account %s &middot; %s: %s</li>' % (_e(e["account_id"]), _e(e["region"]), _e(e["message"])) for e in errors]
        out.append(u"</ul></div>")
    out += _cards(summary)
    out += _matrix(summary)
    out += _filters(summary)
    groups = group_by_target(findings)
    for account_id, region, items in groups:
        out += _section(account_id, region, items)
    if not groups:
        out.append(u'<p class="empty">No findings.</p>')
    out += [u"</main>", u"<script>%s</script>" % SCRIPT, u"</body></html>", u""]
    return u"\n".join(out)
