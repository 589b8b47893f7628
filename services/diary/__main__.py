"""`python -m services.diary`: serve the diary API and its outbox relay."""

from services.diary.app import create_app
from services.diary.settings import DiarySettings
from shared.serve import serve

if __name__ == "__main__":
    settings = DiarySettings()
    serve(create_app(settings), settings)
