"""RDS parameter formulas such as ``{DBInstanceClassMemory/32768}`` or ``LEAST({...},5000)``.

RDS evaluates them with integer arithmetic against the instance class; here the class table is an
approximation good enough to size the local servers before their values are capped.
"""

import ast
import re

GIB = 1024**3
DEFAULT_MEMORY = 4 * GIB
DEFAULT_VCPU = 2

_T_SIZES = {"micro": 1, "small": 2, "medium": 4, "large": 8, "xlarge": 16, "2xlarge": 32}
# memory of the ".large" size per family letter (xlarge doubles, Nxlarge = N * xlarge)
_LARGE_GIB = {"m": 8, "r": 16, "x": 32, "z": 16, "c": 4}
_CLASS_RE = re.compile(r"^db\.([a-z]+)(\d+)([a-z-]*)\.(\w+)$")


def class_memory(instance_class):
    """Bytes of memory of ``instance_class`` (db.t3.micro 1 GiB ... unknown classes 4 GiB)."""
    match = _CLASS_RE.match(instance_class or "")
    if not match:
        return DEFAULT_MEMORY
    family, size = match.group(1), match.group(4)
    if family == "t":
        return _T_SIZES.get(size, 4) * GIB if size in _T_SIZES else DEFAULT_MEMORY
    large = _LARGE_GIB.get(family[0])
    if large is None:
        return DEFAULT_MEMORY
    if size == "large":
        return large * GIB
    if size == "xlarge":
        return 2 * large * GIB
    multiple = re.match(r"^(\d+)xlarge$", size)
    if multiple:
        return int(multiple.group(1)) * 2 * large * GIB
    return DEFAULT_MEMORY


def class_vcpu(instance_class):
    match = _CLASS_RE.match(instance_class or "")
    if not match:
        return DEFAULT_VCPU
    size = match.group(4)
    if size in ("micro", "small", "medium", "large"):
        return 2
    if size == "xlarge":
        return 4
    multiple = re.match(r"^(\d+)xlarge$", size)
    return int(multiple.group(1)) * 4 if multiple else DEFAULT_VCPU


def variables(instance_class, allocated_storage=20, port=5432):
    return {
        "DBInstanceClassMemory": class_memory(instance_class),
        "DBInstanceVCPU": class_vcpu(instance_class),
        "AllocatedStorage": int(allocated_storage or 20) * GIB,
        "EndPointPort": int(port or 5432),
    }


def is_formula(value):
    return isinstance(value, str) and "{" in value


_FUNCTIONS = {"GREATEST": max, "LEAST": min, "SUM": lambda *a: sum(a)}


def _eval(node, names):
    if isinstance(node, ast.Expression):
        return _eval(node.body, names)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise ValueError("unknown formula variable %s" % node.id)
        return names[node.id]
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, names), _eval(node.right, names)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            return left // right
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.upper() in _FUNCTIONS:
        return _FUNCTIONS[node.func.id.upper()](*[_eval(arg, names) for arg in node.args])
    raise ValueError("unsupported formula element %s" % ast.dump(node))


def evaluate(value, names):
    """Integer value of an RDS formula string."""
    expression = value.replace("{", "(").replace("}", ")").strip()
    return int(_eval(ast.parse(expression, mode="eval"), names))
