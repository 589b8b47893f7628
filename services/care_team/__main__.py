"""`python -m services.care_team`: serve the care-team API and its Kafka consumers;
`python -m services.care_team relay`: its outbox relay as a process of its own
(shared/relay_process.py)."""

import sys

from services.care_team.app import create_app
from services.care_team.settings import CareTeamSettings
from shared.relay_process import relay_forever
from shared.serve import serve

if __name__ == "__main__" and sys.argv[1:] == ["relay"]:
    relay_forever(CareTeamSettings())
elif __name__ == "__main__":
    settings = CareTeamSettings()
    serve(create_app(settings), settings)
