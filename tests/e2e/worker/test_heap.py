"""A worker process freezes its start-up heap once (a subprocess)."""

from __future__ import annotations


def test_a_worker_freezes_its_start_up_heap_once() -> None:
    """Full garbage collections walked every start-up object of a worker (~230 ms each);
    frozen, they are skipped, and later garbage is still collected."""
    import subprocess
    import sys

    code = (
        "import gc, weakref\n"
        "from durable_research.heap import freeze_startup_heap\n"
        "keep = [[i] for i in range(50_000)]\n"
        "freeze_startup_heap()\n"
        "first = gc.get_freeze_count()\n"
        "freeze_startup_heap()\n"
        "class Cycle: pass\n"
        "a = Cycle(); a.me = a; gone = weakref.ref(a); del a\n"
        "gc.collect()\n"
        "print(first >= 50_000, gc.get_freeze_count() == first, gone() is None)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["True", "True", "True"]
