"""`python -m services.scheduling`: serve the scheduling API and its outbox relay."""

from services.scheduling.app import create_app
from services.scheduling.settings import SchedulingSettings
from shared.serve import serve

if __name__ == "__main__":
    settings = SchedulingSettings()
    serve(create_app(settings), settings)
