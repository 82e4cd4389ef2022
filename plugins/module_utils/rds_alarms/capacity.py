# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Instance class memory and the ``max_connections`` an instance really has.

RDS and Aurora PostgreSQL default ``max_connections`` to ``LEAST({DBInstanceClassMemory/9531392},5000)``;
a parameter group may set a number or another formula. The memory per class is the one AWS
publishes for each class (the same table as the ``pg_tuning`` filter, which modules cannot import);
RDS keeps a little of it for the operating system, so the values here are a slight overestimate.
Aurora Serverless v2 instances get 2 GiB per ACU of the cluster's maximum capacity.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import re

GIB = 1024 ** 3
DEFAULT_MAX_CONNECTIONS = "LEAST({DBInstanceClassMemory/9531392},5000)"
SERVERLESS_CLASS = "db.serverless"
ACU_GIB = 2

# GiB of the ".large" size of each family kind; "xlarge" doubles it and "Nxlarge" is N times xlarge.
_LARGE_GIB = {"m": 8, "r": 16, "x": 32}
_BURSTABLE_GIB = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}
KNOWN_FAMILIES = ("t3", "t4g", "m5", "m5d", "m6g", "m6gd", "m6i", "m6id", "m7g", "m7i", "m8g", "r5", "r5b", "r5d", "r6g",
                  "r6gd", "r6i", "r6id", "r7g", "r7i", "r8g", "x2g")
_CLASS = re.compile(r"^db\.([a-z0-9]+)\.([a-z0-9]+)$")
_SIZE = re.compile(r"^(\d+)xlarge$")


class CapacityError(ValueError):
    """The memory or max_connections of an instance cannot be known."""


def class_memory(instance_class, max_acu=None):
    """Bytes of memory of ``instance_class``; ``max_acu`` is needed for db.serverless."""
    if instance_class == SERVERLESS_CLASS:
        if not max_acu:
            raise CapacityError("%s needs the cluster's maximum capacity (ServerlessV2ScalingConfiguration.MaxCapacity)" % SERVERLESS_CLASS)
        return int(float(max_acu) * ACU_GIB * GIB)
    match = _CLASS.match(instance_class or "")
    family, size = (match.group(1), match.group(2)) if match else (None, None)
    if family not in KNOWN_FAMILIES:
        raise CapacityError("the memory of instance class %r is not known (known families: %s, and %s)" % (
            instance_class, ", ".join(KNOWN_FAMILIES), SERVERLESS_CLASS))
    if family.startswith("t"):
        if size in _BURSTABLE_GIB:
            return _BURSTABLE_GIB[size] * GIB
    else:
        large = _LARGE_GIB[family[0]]
        if size == "large":
            return large * GIB
        if size == "xlarge":
            return 2 * large * GIB
        multiple = _SIZE.match(size)
        if multiple:
            return int(multiple.group(1)) * 2 * large * GIB
    raise CapacityError("the memory of instance class %r is not known (unknown size %r)" % (instance_class, size))


def class_vcpus(instance_class):
    match = _CLASS.match(instance_class or "")
    size = match.group(2) if match else ""
    if size in ("micro", "small", "medium", "large"):
        return 2
    if size == "xlarge":
        return 4
    multiple = _SIZE.match(size)
    return int(multiple.group(1)) * 4 if multiple else 2


_FUNCTIONS = {"GREATEST": max, "LEAST": min, "SUM": lambda *args: sum(args)}


def _evaluate(node, names):
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, names)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        left, right = _evaluate(node.left, names), _evaluate(node.right, names)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if right == 0:
            raise CapacityError("division by zero")
        return left // right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.upper() in _FUNCTIONS and node.args:
        return _FUNCTIONS[node.func.id.upper()](*[_evaluate(arg, names) for arg in node.args])
    raise CapacityError("unsupported element in the formula")


def evaluate_formula(value, memory, vcpus=2):
    """The integer value of an RDS parameter value: a number or a formula such as ``{DBInstanceClassMemory/9531392}``."""
    text = str(value).strip()
    if re.match(r"^-?\d+$", text):
        return int(text)
    expression = text.replace("{", "(").replace("}", ")")
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        raise CapacityError("%r is not a number or an RDS formula" % (value,))
    try:
        return int(_evaluate(tree, {"DBInstanceClassMemory": memory, "DBInstanceVCPU": vcpus}))
    except CapacityError as e:
        raise CapacityError("cannot evaluate %r: %s" % (value, e))


def max_connections(instance_class, parameter_value=None, max_acu=None):
    """``max_connections`` of an instance of ``instance_class`` whose parameter group sets ``parameter_value`` (None: the default)."""
    memory = class_memory(instance_class, max_acu)
    value = evaluate_formula(parameter_value if parameter_value not in (None, "") else DEFAULT_MAX_CONNECTIONS,
                             memory, class_vcpus(instance_class))
    if value < 1:
        raise CapacityError("max_connections evaluates to %d for %s" % (value, instance_class))
    return value
