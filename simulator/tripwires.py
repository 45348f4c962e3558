"""Calls an integration must never make (session-spec §5.3), noticed on arrival.

Each is recorded whether or not the request was authorized, so tests can
assert that nothing ever tried: RESET / PROV / KILLGUI system operations,
firmware, certificate and password endpoints, and writes to the password,
provisioning and firmware P-values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from custom_components.grandstream_cti.cti.wire import (
    CONFIG_PVALUE,
    FORBIDDEN_PVALUES,
    FUNCTION_CONFIG_UPDATE,
    FUNCTION_SYS_OPERATION,
    FUNCTION_VALUES_POST,
    PARAM_REQUEST,
)

from .config_store import canonical_key
from .wire import (
    FORBIDDEN_FUNCTIONS,
    SYS_KILLGUI,
    SYS_PROV,
    SYS_RESET,
)

DANGEROUS_SYS_OPERATIONS = frozenset({SYS_RESET, SYS_PROV, SYS_KILLGUI})


def detect(
    function: str, params: Mapping[str, str], document: Any
) -> list[dict[str, str]]:
    """Return a tripwire record for everything dangerous in this request."""
    hits: list[dict[str, str]] = []
    if function == FUNCTION_SYS_OPERATION:
        request = params.get(PARAM_REQUEST, "")
        if request in DANGEROUS_SYS_OPERATIONS:
            hits.append({"kind": "sys_operation", "name": request})
    if function in FORBIDDEN_FUNCTIONS:
        hits.append({"kind": "endpoint", "name": function})
    keys: list[str] = []
    if function == FUNCTION_CONFIG_UPDATE and isinstance(document, dict):
        pvalues = document.get(CONFIG_PVALUE)
        if isinstance(pvalues, dict):
            keys = [str(key) for key in pvalues]
    elif function == FUNCTION_VALUES_POST:
        keys = list(params)
    hits += [
        {"kind": "pvalue", "name": f"P{canonical_key(key)}"}
        for key in keys
        if canonical_key(key) in FORBIDDEN_PVALUES
    ]
    for hit in hits:
        hit["function"] = function
    return hits
