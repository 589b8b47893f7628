"""`python -m services.diary`: serve the diary API and its outbox relay."""

from services.diary.app import create_app
from services.diary.heap import settle_heap
from services.diary.settings import DiarySettings
from shared.serve import serve

if __name__ == "__main__":
    settings = DiarySettings()
    app = create_app(settings)
    settle_heap()
    serve(app, settings)
