# -*- coding: utf-8 -*-
# Copyright: Contributors to the innovate.aws_postgres project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Storage rules of RDS for PostgreSQL: sizes per storage type, gp3 IOPS and throughput, io1/io2
IOPS ratios, the autoscaling limit, and that storage only grows.

``storage_errors(wanted, current)`` takes the storage settings the instance would have after the
run (the task's values over the current ones) and returns every problem as a message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MAX_STORAGE = 65536
MIN_STORAGE = {"gp2": 20, "gp3": 20, "io1": 100, "io2": 100}
GP3_BASELINE_LIMIT = 400
GP3_IOPS = (12000, 64000)
GP3_THROUGHPUT = (500, 4000)
GP3_THROUGHPUT_PER_IOPS = 0.25
PROVISIONED_IOPS = (1000, 256000)
IOPS_PER_GIB = {"io1": (0.5, 50), "io2": (0.5, 1000)}


def _size_errors(storage_type, allocated):
    minimum = MIN_STORAGE.get(storage_type, 20)
    if allocated is not None and not minimum <= allocated <= MAX_STORAGE:
        return ["allocated_storage: %d GiB is out of range for %s storage; expected %d to %d GiB"
                % (allocated, storage_type, minimum, MAX_STORAGE)]
    return []


def _gp3_errors(allocated, iops, throughput):
    if allocated is not None and allocated < GP3_BASELINE_LIMIT:
        given = [name for name, value in (("iops", iops), ("storage_throughput", throughput)) if value is not None]
        if given:
            return ["%s: gp3 storage below %d GiB has a fixed baseline of 3000 IOPS and 125 MiB/s that cannot be set; remove %s "
                    "or allocate at least %d GiB" % (" and ".join(given), GP3_BASELINE_LIMIT, " and ".join(given), GP3_BASELINE_LIMIT)]
        return []
    errors = []
    if iops is not None and not GP3_IOPS[0] <= iops <= GP3_IOPS[1]:
        errors.append("iops: %d is out of range for gp3 storage of %s GiB or more; expected %d to %d"
                      % (iops, GP3_BASELINE_LIMIT, GP3_IOPS[0], GP3_IOPS[1]))
    if throughput is not None and not GP3_THROUGHPUT[0] <= throughput <= GP3_THROUGHPUT[1]:
        errors.append("storage_throughput: %d MiB/s is out of range for gp3 storage of %d GiB or more; expected %d to %d"
                      % (throughput, GP3_BASELINE_LIMIT, GP3_THROUGHPUT[0], GP3_THROUGHPUT[1]))
    if iops and throughput and float(throughput) / iops > GP3_THROUGHPUT_PER_IOPS:
        errors.append("storage_throughput: %d MiB/s needs at least %d IOPS on gp3 (at most %.2f MiB/s per IOPS); raise iops"
                      % (throughput, int(throughput / GP3_THROUGHPUT_PER_IOPS), GP3_THROUGHPUT_PER_IOPS))
    return errors


def _provisioned_errors(storage_type, allocated, iops, throughput):
    errors = []
    if throughput is not None:
        errors.append("storage_throughput: can only be set for gp3 storage, not %s; remove it" % storage_type)
    if iops is None:
        return errors + ["iops: required for %s storage (%d to %d)" % (storage_type, PROVISIONED_IOPS[0], PROVISIONED_IOPS[1])]
    if not PROVISIONED_IOPS[0] <= iops <= PROVISIONED_IOPS[1]:
        errors.append("iops: %d is out of range for %s storage; expected %d to %d" % ((iops, storage_type) + PROVISIONED_IOPS))
    elif allocated:
        low, high = IOPS_PER_GIB[storage_type]
        ratio = float(iops) / allocated
        if not low <= ratio <= high:
            errors.append("iops: %d IOPS on %d GiB of %s is %.1f IOPS per GiB; expected %s to %s (from %d to %d IOPS)"
                          % (iops, allocated, storage_type, ratio, low, high, int(allocated * low), int(allocated * high)))
    return errors


def storage_errors(wanted, current=None):
    """Problems with the storage settings wanted (after the run) given current (or None on create).

    Both are dicts with allocated_storage, max_allocated_storage, storage_type, iops and
    storage_throughput (None where unknown).
    """
    storage_type = wanted.get("storage_type") or "gp3"
    allocated = wanted.get("allocated_storage")
    errors = _size_errors(storage_type, allocated)
    if storage_type == "gp2":
        errors += ["%s: cannot be set for gp2 storage (its IOPS follow its size); use gp3 to set it, or remove it" % name
                   for name in ("iops", "storage_throughput") if wanted.get(name) is not None]
    elif storage_type == "gp3":
        errors += _gp3_errors(allocated, wanted.get("iops"), wanted.get("storage_throughput"))
    else:
        errors += _provisioned_errors(storage_type, allocated, wanted.get("iops"), wanted.get("storage_throughput"))
    maximum = wanted.get("max_allocated_storage")
    if maximum is not None and allocated is not None:
        if maximum > MAX_STORAGE:
            errors.append("max_allocated_storage: %d GiB is above the limit of %d GiB" % (maximum, MAX_STORAGE))
        elif maximum < allocated:
            errors.append("max_allocated_storage: %d GiB is below allocated_storage (%d GiB); give a larger limit for storage "
                          "autoscaling, or the same value as allocated_storage to turn autoscaling off" % (maximum, allocated))
        elif allocated < maximum < allocated * 1.1:
            errors.append("max_allocated_storage: %d GiB must be at least 10%% above allocated_storage (%d GiB), i.e. %d GiB or "
                          "more, or equal to it to turn storage autoscaling off" % (maximum, allocated, -(-allocated * 11 // 10)))
    if current and current.get("allocated_storage") is not None and allocated is not None and allocated < current["allocated_storage"]:
        errors.append("allocated_storage: %d GiB is less than the %d GiB the instance has; RDS storage can only grow. To use less "
                      "storage, dump and restore (or replicate) into a new, smaller instance" % (allocated, current["allocated_storage"]))
    return errors
