"""The step harness shared by the Python SDK flows (users_flow.py, tokens_flow.py).

Every step prints `PASS <step>` or `FAIL <step>: <reason>`; finish() prints the
last line, `N passed, M failed`, and exits non-zero when anything failed.
"""

import sys
import traceback

passed = 0
failed = 0
# Shared state between steps; a step whose prerequisite is missing fails with that reason.
st: dict = {}


def _no_description(err):
    return None


def _unchanged(v):
    return v


_describe_sdk_error = _no_description
_normalize = _unchanged
_show = repr
_traceback_limit = None
_traceback_chain = True


def configure(*, describe_sdk_error=None, normalize=None, show=None, traceback_limit=None, traceback_chain=True):
    """Adapts the harness to a flow.

    describe_sdk_error(err): the flow's description of an SDK error, or None to
    leave it to the generic one. normalize(v): what eq compares (and shows) instead
    of each value; show(v): how eq shows values in its message (repr by default).
    traceback_limit/traceback_chain: how a step's TypeError, AttributeError,
    KeyError or IndexError is printed to stderr (in full by default).
    """
    global _describe_sdk_error, _normalize, _show, _traceback_limit, _traceback_chain
    if describe_sdk_error is not None:
        _describe_sdk_error = describe_sdk_error
    if normalize is not None:
        _normalize = normalize
    if show is not None:
        _show = show
    _traceback_limit = traceback_limit
    _traceback_chain = traceback_chain


class Check(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Check(msg)


def eq(actual, expected, what):
    a, e = _normalize(actual), _normalize(expected)
    check(a == e, f"{what}: expected {_show(e)}, got {_show(a)}")


def need(key):
    check(key in st, f"prerequisite missing: {key} (an earlier step failed)")
    return st[key]


def describe(err):
    if isinstance(err, Check):
        return str(err)
    sdk = _describe_sdk_error(err)
    if sdk is not None:
        return sdk
    return f"{type(err).__name__}: {err}"


def step(name):
    """Decorator: runs the function at once as the step `name` and reports it."""
    def run(fn):
        global passed, failed
        try:
            fn()
            passed += 1
            print(f"PASS {name}", flush=True)
        except Exception as err:  # noqa: BLE001 - every failure is reported, the flow goes on
            failed += 1
            print(f"FAIL {name}: {describe(err)}", flush=True)
            if isinstance(err, (TypeError, AttributeError, KeyError, IndexError)):
                traceback.print_exception(err, limit=_traceback_limit, chain=_traceback_chain)
        return fn
    return run


def finish():
    """Prints the `N passed, M failed` line and exits: 0 when every step passed, 1 otherwise."""
    print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(0 if failed == 0 else 1)
