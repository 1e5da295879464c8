"""The HTTP API's description: its OpenAPI document and a page listing the endpoints.

The page is rendered here, not by Swagger UI: that loads its script from a CDN and runs
inline script, both of which the app's CSP forbids (and a page holding the access
session should not run third-party code). The JSON document works with any OpenAPI tool.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response

from durable_research import __version__
from durable_research.web import api
from durable_research.web.context import API_ROOT
from durable_research.web.templating import render

router = APIRouter(prefix=API_ROOT, include_in_schema=False)
DESCRIPTION = (
    "Start, follow, review and download research reports: the actions of the web page. "
    "Send the token `research web` printed as `Authorization: Bearer <token>`. Errors "
    "are `{\"error\": ..., \"hint\": ...}`."
)
_METHODS = ("get", "post", "put", "patch", "delete")


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the versioned endpoints (built once).

    FastAPI documents a 422 for every body; this app answers bad input with 400 and an
    ``ApiError`` (``errors.py``), so those entries go.
    """
    doc = get_openapi(title="durable-research HTTP API", version=__version__,
                      description=DESCRIPTION, routes=api.router.routes)
    for item in doc["paths"].values():
        for op in item.values():
            op.get("responses", {}).pop("422", None)
    for name in ("HTTPValidationError", "ValidationError"):
        doc.get("components", {}).get("schemas", {}).pop(name, None)
    return doc


@router.get("/openapi.json")
async def openapi_json() -> Response:
    """The OpenAPI document."""
    return JSONResponse(openapi_document())


@router.get("/docs")
async def docs_page(request: Request) -> Response:
    """Every endpoint with its summary and description, and a link to the document."""
    operations = [
        {"method": method.upper(), "path": path, "summary": op.get("summary", ""),
         "description": op.get("description", ""),
         "body": _ref_name(op.get("requestBody", {})),
         "answer": _ref_name(op.get("responses", {}).get("200")
                             or op.get("responses", {}).get("201")
                             or op.get("responses", {}).get("202") or {})}
        for path, item in openapi_document()["paths"].items()
        for method, op in item.items() if method in _METHODS]
    return render(request, "api_docs.html", operations=operations,
                  openapi_path=request.app.url_path_for(openapi_json.__name__))


def _ref_name(part: dict[str, Any]) -> str:
    """The schema a request body or answer refers to (``NewReport``), or ``""``."""
    for media in part.get("content", {}).values():
        ref = str(media.get("schema", {}).get("$ref", ""))
        if ref:
            return ref.rsplit("/", 1)[-1]
    return ""
