"""``research web``: the browser front end, a thin layer over :mod:`durable_research.client`.

Modules: ``app`` (factory), ``server`` (uvicorn plus an optional in-process worker),
``context`` (shared state), ``security`` (guards), ``responses`` (the guards' own
answers, security headers), ``views`` (what a page shows of a report), ``templating``,
and the routes by purpose: ``pages``, ``live`` (server-sent events), ``review``,
``files``, ``login``, ``errors``; the HTTP API over the same client functions: ``api``
(``/api/v1``), ``api_models`` (its bodies), ``api_docs`` (its OpenAPI document and page).
"""
