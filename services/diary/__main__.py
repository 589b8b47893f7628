"""`python -m services.diary`: serve the diary API and its outbox relay;
`python -m services.diary relay`: its outbox relay as a process of its own
(shared/relay_process.py)."""

import sys

from services.diary.app import create_app
from services.diary.heap import settle_heap
from services.diary.settings import DiarySettings
from shared.relay_process import relay_forever
from shared.serve import serve

if __name__ == "__main__" and sys.argv[1:] == ["relay"]:
    relay_forever(DiarySettings())
elif __name__ == "__main__":
    settings = DiarySettings()
    app = create_app(settings)
    settle_heap()
    serve(app, settings)
