"""A render with a wall clock and a memory ceiling, for the web layer (docs/security.md PDF-3).

The render runs in a forked child process whose `RLIMIT_AS` allows 1 GiB (by default) more
than the parent's size, and is killed when the wall clock (20 s by default) runs out: a
pathological layout (nested flex took 29 s in Kozea/WeasyPrint#1166) costs one child, never
the worker. The fork inherits this
process's warm renderer (made and warmed up by one small render here on first use), so a
bounded render pays no font, stylesheet or first-render set-up; the child's copy is its own.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import traceback
from collections.abc import Callable

from dme_service.documents.render import render, warm_up
from dme_service.documents.types import DocumentRefused, RenderedDocument

log = logging.getLogger(__name__)

WALL_CLOCK_SECONDS = 20.0
MEMORY_BYTES = 1 << 30


class RenderTimeout(RuntimeError):
    """The render did not finish within the wall clock; the child was killed."""


class RenderFailed(RuntimeError):
    """The child process failed (out of memory, crashed, or raised)."""


def _address_space_in_use() -> int:
    """This process's virtual size in bytes (0 where /proc is unavailable)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _die_with_parent() -> None:
    """The render child ends when its worker does: a worker SIGKILLed mid-render
    left the child asleep for good, and it had inherited gunicorn's SIGTERM
    handler, which does not exit. Linux prctl(PR_SET_PDEATHSIG, SIGKILL); elsewhere only
    the default SIGTERM."""
    import ctypes
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return


def _child(connection, memory_bytes: int, function: Callable, args: tuple, kwargs: dict):
    _die_with_parent()
    # The ceiling is what the render may add on top of what the fork inherited: a worker
    # that has imported more libraries (a long-lived gunicorn worker, a test process) has a
    # larger virtual size, and a fixed 1 GiB made ordinary renders fail inside C code there.
    ceiling = _address_space_in_use() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    try:
        result = ("ok", function(*args, **kwargs))
    except DocumentRefused as refused:
        result = ("refused", (refused.field, refused.message))
    except MemoryError:
        result = ("failed", "out of memory")
    except BaseException as error:  # noqa: BLE001 - reported to the parent, never lost
        result = ("failed", f"{type(error).__name__}: {error}\n{traceback.format_exc()}")
    try:
        connection.send(result)
    except MemoryError:
        connection.send(("failed", "out of memory"))
    finally:
        connection.close()


def run_bounded(
    function: Callable,
    *args,
    timeout: float = WALL_CLOCK_SECONDS,
    memory_bytes: int = MEMORY_BYTES,
    **kwargs,
):
    """Call `function(*args, **kwargs)` in a child process under the limits; return its result."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(sender, memory_bytes, function, args, kwargs), daemon=True
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise RenderTimeout(f"render took longer than {timeout:g} s; stopped")
        status, value = receiver.recv()
    except EOFError as error:
        raise RenderFailed(f"render process died (exit code {child.exitcode})") from error
    finally:
        receiver.close()
        _stop(child)
    if status == "refused":
        raise DocumentRefused(*value)
    if status == "failed":
        log.error("bounded render failed: %s", value)
        raise RenderFailed(value.splitlines()[0])
    return value


def _stop(child) -> None:
    if child.is_alive():
        child.kill()
    child.join(5)


def render_bounded(
    kind: str,
    case,
    decision,
    *,
    timeout: float = WALL_CLOCK_SECONDS,
    memory_bytes: int = MEMORY_BYTES,
    **options,
) -> RenderedDocument:
    """`render(kind, case, decision, **options)` in a child process under the limits."""
    # Warm here once (fonts, stylesheets, and one small render): every forked child inherits
    # it, so that no bounded render pays a renderer's first-render costs.
    warm_up()
    return run_bounded(
        render, kind, case, decision, timeout=timeout, memory_bytes=memory_bytes, **options
    )
