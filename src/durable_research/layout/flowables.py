"""Custom platypus flowables: width-dependent content and a "Page N of M" canvas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from durable_research.layout.fonts import font_set


class Deferred(Flowable):  # type: ignore[misc]  # reportlab is untyped (Any); subclassing is its API
    """A flowable built only once the available width is known.

    Tables need column widths, code needs hard-wrapped lines and right-to-left text
    needs its own line breaking; inside lists, quotes and table cells that width is
    only known when platypus calls :meth:`wrap`.
    """

    def __init__(
        self,
        build: Callable[[float], Flowable],
        space_before: float = 0.0,
        space_after: float = 0.0,
        keep_with_next: bool = False,
    ) -> None:
        super().__init__()
        self._build = build
        self._inner: Flowable | None = None
        self._width = -1.0
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.keepWithNext = keep_with_next

    def _get(self, width: float) -> Flowable:
        if self._inner is None or abs(width - self._width) > 0.01:
            self._inner = self._build(width)
            self._width = width
        return self._inner

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        inner = self._get(aw)
        w, h = inner.wrap(aw, ah)
        self.width, self.height = w, h
        return w, h

    def split(self, aw: float, ah: float) -> list[Flowable]:
        parts: list[Flowable] = self._get(aw).split(aw, ah)
        if parts and hasattr(self, "_dr_outline"):
            parts[0]._dr_outline = self._dr_outline  # noqa: SLF001 - our mark on a flowable
        return parts

    def draw(self) -> None:
        assert self._inner is not None
        self._inner.drawOn(self.canv, 0, 0)

    def getSpaceBefore(self) -> float:  # noqa: N802 - platypus API
        return float(self.spaceBefore)

    def getSpaceAfter(self) -> float:  # noqa: N802 - platypus API
        return float(self.spaceAfter)


class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped (Any); subclassing is its API
    """Canvas that writes "Page N of M" once the total page count is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab API
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self._draw_page_number(total)
            super().showPage()
        super().save()

    def _draw_page_number(self, total: int) -> None:
        width, _ = self._pagesize
        self.setFont(font_set().regular, 8.5)
        self.setFillGray(0.4)
        self.drawCentredString(width / 2, 28, f"Page {self._pageNumber} of {total}")
