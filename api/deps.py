"""Dependencies the routes declare: settings, the index holder, and the engine for this request.

``EngineDep`` is the one a route needs to answer from the index: it is resolved once per request
(FastAPI caches a dependency within a request), so the whole request uses one engine even if a
rebuilt index is swapped in meanwhile. It raises the holder's reason (503, naming ``rag build``)
while no usable index is loaded.
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from api.state import Engine, IndexHolder
from rag.config import Settings


def get_app_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def get_holder(request: Request) -> IndexHolder:
    return cast(IndexHolder, request.app.state.holder)


async def get_engine(holder: Annotated[IndexHolder, Depends(get_holder)]) -> Engine:
    # async: taking the reference is cheap and must not wait for a thread-pool slot
    return holder.current()


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
HolderDep = Annotated[IndexHolder, Depends(get_holder)]
EngineDep = Annotated[Engine, Depends(get_engine)]
