"""`python -m services.care_team`: serve the care-team API and its Kafka consumers."""

from services.care_team.app import create_app
from services.care_team.settings import CareTeamSettings
from shared.serve import serve

if __name__ == "__main__":
    settings = CareTeamSettings()
    serve(create_app(settings), settings)
