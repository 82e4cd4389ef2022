"""Emulator-side state of one Aurora DB cluster (kept on moto's DBCluster object).

moto returns shallow copies of a cluster from some calls (ModifyDBCluster); a copy shares the
state object with the original, so both report the same endpoint and server.
"""

import dataclasses
import time


@dataclasses.dataclass
class ClusterState:
    #: Fleet key of the cluster's server (the writer instance's key, or a parked key when the
    #: cluster has no instance), None when it has no server.
    server_key: tuple = None
    port: int = None
    #: The server refuses writes (a global database secondary).
    read_only: bool = False
    #: A static parameter of the cluster or writer parameter group waits for a reboot.
    pending_reboot: bool = False
    transition: str = ""
    transition_until: float = 0.0


def now():
    return time.monotonic()


def get(cluster):
    state = cluster.__dict__.get("_localenv_aurora")
    if state is None:
        state = ClusterState()
        cluster.__dict__["_localenv_aurora"] = state
    return state


def begin(cluster, transition, seconds):
    if seconds and seconds > 0:
        st = get(cluster)
        st.transition = transition
        st.transition_until = now() + seconds


def transition(cluster):
    """The transitional status of ``cluster`` at this moment, or None."""
    st = get(cluster)
    if st.transition and st.transition_until > now():
        return st.transition
    return None
