"""`python -m services.diary`: serve the diary API and its outbox relay."""

import gc

from services.diary.app import create_app
from services.diary.settings import DiarySettings
from shared.serve import serve

if __name__ == "__main__":
    settings = DiarySettings()
    app = create_app(settings)
    # What is alive now (modules, models, routes) lives as long as the process: keep it out of
    # the collector's full passes, which a request's few thousand diary facts trigger every
    # few requests and which otherwise re-scan this whole heap (tens of ms each).
    gc.collect()
    gc.freeze()
    serve(app, settings)
