"""Run a list of module steps as one playbook and check each step's result (shared by module tests)."""

import json

READS = ("Describe", "List", "Get")


def run_steps(ansible, module, steps):
    """Run ``steps`` (module args dicts with optional ``_check``, or "reset"/"requests") in one playbook."""
    control = ansible.localenv.endpoint_url + "/_localenv/requests"
    tasks = []
    for index, step in enumerate(steps):
        name = "step %03d" % index
        if step in ("reset", "requests"):
            tasks.append({"name": name, "ansible.builtin.uri": {"url": control, "method": "DELETE" if step == "reset" else "GET"},
                          "check_mode": False})
            continue
        args = dict(step)
        check = args.pop("_check", False)
        tasks.append({"name": name, module: args, "ignore_errors": True, "check_mode": check, "diff": True})
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]
    run = ansible.playbook(json.dumps(play))
    results = [run.result("step %03d" % index) for index in range(len(run.task_results))]
    assert len(results) == len(steps), "the play stopped after %d of %d steps:\n%s\n%s" % (
        len(results), len(steps), run.stdout[-3000:], run.stderr)
    return results


def ok(result, changed=None):
    assert result.get("failed") is not True, result.get("msg")
    if changed is not None:
        assert result["changed"] is changed, json.dumps(result, default=str)[:2000]
    return result


def failed(result, *fragments):
    assert result.get("failed") is True, "expected a failure, got %s" % json.dumps(result, default=str)[:2000]
    for fragment in fragments:
        assert fragment in result["msg"], "%r not in %r" % (fragment, result["msg"])
    assert "Traceback" not in json.dumps(result, default=str)
    return result


def writes(requests_result, services=("rds",)):
    """The write requests (service:Operation -> count) among a "requests" step's counts."""
    counts = requests_result["json"]["by_operation"]
    return dict((key, value) for key, value in counts.items()
                if key.split(":", 1)[0] in services and not key.split(":", 1)[1].startswith(READS))
