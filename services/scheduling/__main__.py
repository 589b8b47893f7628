"""`python -m services.scheduling`: serve the scheduling API and its outbox relay;
`python -m services.scheduling relay`: its outbox relay as a process of its own
(shared/relay_process.py)."""

import sys

from services.scheduling.app import create_app
from services.scheduling.settings import SchedulingSettings
from shared.relay_process import relay_forever
from shared.serve import serve

if __name__ == "__main__" and sys.argv[1:] == ["relay"]:
    relay_forever(SchedulingSettings())
elif __name__ == "__main__":
    settings = SchedulingSettings()
    serve(create_app(settings), settings)
