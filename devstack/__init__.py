"""Local Kafka, PostgreSQL and carecoord services without a Docker engine.

Python API (e.g. for pytest fixtures)::

    from devstack.infra import start_infra
    from devstack.services import start_services

    with start_infra("test") as infra:  # free ports; DATABASE_URL honoured
        with start_services(infra.kafka_bootstrap_servers, infra.database_url) as svc:
            ...  # svc.urls["diary"] == "http://127.0.0.1:<port>"

CLI: ``python -m devstack run|start|status|stop|logs|fetch|infra`` (see --help).
"""
