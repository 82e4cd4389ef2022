"""The HTML report in a real headless Chromium (Debian's package): it renders, the numbers shown match the
JSON report, the filters work (counted in visible rows) and hostile strings never run as code.

Chromium is driven through the DevTools protocol over --remote-debugging-pipe (fd 3 in, fd 4 out, messages
separated by NUL bytes), so no Python package beyond the standard library is needed. The test skips only
when Chromium is missing outside CI; with CI=true a missing browser is a failure.
"""

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from ansible_collections.innovate.aws_postgres.plugins.module_utils.posture_report.files import write_reports
from posture_findings_data import sample

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("Chromium is not installed (apt-get install chromium; scripts/bootstrap.sh installs it) and CI=true")
    pytest.skip("Chromium is not installed (apt-get install chromium)")
    return None


class Browser:
    """A headless Chromium and one page, spoken to with the DevTools protocol over pipes."""

    def __init__(self, executable, profile_dir):
        to_browser_read, self._write_fd = os.pipe()
        self._read_fd, from_browser_write = os.pipe()
        # Out of the way of 3 and 4 before they are put there in the child.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser_read, from_browser_write)]

        def child_fds():
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        command = [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--remote-debugging-pipe",
                   "--user-data-dir=%s" % profile_dir, "about:blank"]
        self.process = subprocess.Popen(  # pylint: disable=subprocess-popen-preexec-fn  # only dup2 of two pipes
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            pass_fds=(3, 4) + tuple(high), preexec_fn=child_fds)
        for fd in [to_browser_read, from_browser_write] + high:
            os.close(fd)
        self._buffer = b""
        self._next_id = 0
        self.session = None

    def send(self, method, params=None, session=True):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._write_fd, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 30
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise AssertionError("%s failed: %s" % (method, reply["error"]))
                return reply["result"]

    def _receive(self, deadline):
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise AssertionError("Chromium did not answer in time")
            chunk = os.read(self._read_fd, 65536)
            if not chunk:
                raise AssertionError("Chromium exited: %s" % self.process.stderr.read().decode(errors="replace")[-2000:])
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def open(self, url):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        self.send("Page.enable")
        self.navigate(url)

    def navigate(self, url):
        self.evaluate("window.__previousDocument = true")
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + 30
        ready = "!window.__previousDocument && document.readyState === 'complete' && document.body && document.body.getAttribute('data-ready')"
        while self.evaluate(ready) != "true":
            assert time.monotonic() < deadline, "the report never finished loading"
            time.sleep(0.1)

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise AssertionError("JavaScript error: %s" % result["exceptionDetails"])
        return result["result"].get("value")

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except (AssertionError, OSError):
            pass
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.process.stderr.close()
        os.close(self._write_fd)
        os.close(self._read_fd)


@pytest.fixture(name="page", scope="module")
def report_page(tmp_path_factory):
    executable = find_browser()
    tmp_path = tmp_path_factory.mktemp("report")
    write_reports(str(tmp_path), "posture", ["html", "json"], "Posture <b>audit</b>", sample(), "HIGH", False)
    profile = tempfile.mkdtemp(prefix="posture-chromium-")
    browser = Browser(executable, profile)
    try:
        browser.url = "file://%s" % (tmp_path / "posture.html")
        browser.open(browser.url)
        browser.report = json.loads((tmp_path / "posture.json").read_text())
        yield browser
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)


VISIBLE_ROWS = "Array.from(document.querySelectorAll('tr.finding')).filter(r => r.offsetParent !== null).length"
VISIBLE_SECTIONS = "Array.from(document.querySelectorAll('section.target')).filter(s => s.offsetParent !== null).length"


def set_filter(page, element_id, value):
    page.evaluate("""(() => { const el = document.getElementById(%s); el.value = %s;
                     el.dispatchEvent(new Event(el.tagName === 'INPUT' ? 'input' : 'change')); return true; })()"""
                  % (json.dumps(element_id), json.dumps(value)))
    return page.evaluate(VISIBLE_ROWS), int(page.evaluate("document.getElementById('shown-count').textContent"))


def test_the_report_renders_and_its_numbers_match_the_json(page):
    summary = page.report["summary"]
    assert page.evaluate("document.title") == "Posture <b>audit</b>"
    assert page.evaluate("document.querySelector('h1').textContent") == "Posture <b>audit</b>", "the title is text, not markup"
    shown = page.evaluate("""(() => { const n = id => Number(document.getElementById(id).textContent);
        return {total: n('count-total'), fail: n('count-fail'), pass: n('count-pass'), na: n('count-na'), resources: n('count-resources'),
                targets: n('count-targets'), shown: n('shown-count'), of: n('total-count')}; })()""")
    assert shown == {"total": summary["total"], "fail": summary["by_status"]["FAIL"], "pass": summary["by_status"]["PASS"],
                     "na": summary["by_status"]["NOT_APPLICABLE"], "resources": summary["resources"], "targets": len(summary["targets"]),
                     "shown": summary["total"], "of": summary["total"]}
    matrix = page.evaluate("""(() => { const m = {}; document.querySelectorAll('#summary-matrix td[data-status]').forEach(td => {
        m[td.dataset.severity + '/' + td.dataset.status] = Number(td.innerText); }); return m; })()""")
    for severity, by_status in summary["by_severity_and_status"].items():
        for status, number in by_status.items():
            assert matrix["%s/%s" % (severity, status)] == number
        assert matrix["%s/" % severity] == summary["by_severity"][severity]
    assert page.evaluate(VISIBLE_ROWS) == len(page.report["findings"]) == 12
    sections = page.evaluate("""Array.from(document.querySelectorAll('section.target')).map(s =>
        [s.dataset.account, s.dataset.region, s.querySelectorAll('tr.finding').length])""")
    assert sections == [[t["account_id"], t["region"], t["total"]] for t in summary["targets"]]
    assert "3 failing findings at or above HIGH" in page.evaluate("document.getElementById('verdict').innerText")


def test_hostile_strings_are_shown_as_text_and_never_run(page):
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.scripts.length") == 1
    hostile = [f for f in page.report["findings"] if f["control_id"] == "BASE.FORCE_SSL"][0]
    shown = page.evaluate("""Array.from(document.querySelectorAll('tr.finding')).filter(r => r.dataset.control === 'BASE.FORCE_SSL')
        .map(r => r.querySelector('.rid').textContent)[0]""")
    assert shown == hostile["resource_id"]


def test_the_filters_show_the_rows_they_select(page):
    findings = page.report["findings"]
    page.evaluate("document.getElementById('filter-reset').click()")
    assert set_filter(page, "filter-status", "FAIL") == (5, 5)
    assert set_filter(page, "filter-severity", "HIGH") == (2, 2)
    assert set_filter(page, "filter-severity", ">HIGH") == (3, 3), "HIGH and above: the CRITICAL one too"
    assert set_filter(page, "filter-status", "") == (3, 3)
    assert set_filter(page, "filter-severity", "MEDIUM") == (sum(1 for f in findings if f["severity"] == "MEDIUM"),) * 2
    assert set_filter(page, "filter-severity", "") == (12, 12)
    assert set_filter(page, "filter-text", "rds.1") == (3, 3), "RDS.10, RDS.11 and RDS.13"
    assert page.evaluate(VISIBLE_SECTIONS) == 2, "a region without a matching finding is hidden"
    assert set_filter(page, "filter-text", "orders-aurora") == (3, 3)
    assert page.evaluate(VISIBLE_SECTIONS) == 1
    assert set_filter(page, "filter-text", "<script>") == (1, 1)
    assert set_filter(page, "filter-text", "no such thing") == (0, 0)
    assert page.evaluate(VISIBLE_SECTIONS) == 0
    page.evaluate("document.getElementById('filter-reset').click()")
    assert page.evaluate(VISIBLE_ROWS) == 12 and page.evaluate(VISIBLE_SECTIONS) == 3
    page.evaluate("document.getElementById('count-fail').parentElement.click()")
    assert page.evaluate(VISIBLE_ROWS) == 5, "a summary card filters on its status"
    assert page.evaluate("Array.from(document.querySelectorAll('tr.finding')).filter(r => r.offsetParent !== null)"
                         ".every(r => r.dataset.status === 'FAIL')")


def test_a_filtered_view_is_kept_in_the_url_and_restored_from_it(page):
    page.evaluate("document.getElementById('filter-reset').click()")
    set_filter(page, "filter-status", "FAIL")
    set_filter(page, "filter-severity", ">HIGH")
    assert page.evaluate("window.location.hash") == "#status=FAIL&severity=%3EHIGH"
    page.navigate(page.url.split("#")[0] + "?reload#status=FAIL&severity=%3EHIGH")
    assert page.evaluate("document.getElementById('filter-severity').value") == ">HIGH"
    assert page.evaluate(VISIBLE_ROWS) == 3
