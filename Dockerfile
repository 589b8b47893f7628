# syntax=docker/dockerfile:1
#
# One image for all three carecoord services. The service is chosen by the
# command, e.g. `python -m services.diary` (see docker-compose.yml).
#
#   docker build -t carecoord .
#   docker run --rm carecoord python -m services.scheduling
#
# The build stage installs the locked dependencies with uv, in a layer that
# only changes with pyproject.toml/uv.lock, then the project itself. The
# runtime stage has neither uv nor build tools and runs as a non-root user.

ARG PYTHON_IMAGE=python:3.11-slim
ARG UV_VERSION=0.13.9

FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

# ---------------------------------------------------------------- build stage
FROM ${PYTHON_IMAGE} AS builder

COPY --from=uv /uv /uvx /bin/

# Use the image's own interpreter (never download one) so the virtualenv's
# links stay valid in the runtime stage, which has the same base image.
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

WORKDIR /app

# 1) Third-party dependencies, exactly as locked (cached until the lock changes).
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-dev --no-install-project

# 2) The project itself. README.md is read by the build backend (`readme =`).
COPY pyproject.toml uv.lock README.md ./
COPY shared ./shared
COPY services ./services
COPY devstack ./devstack
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev \
 && python -m compileall -q shared services devstack

# -------------------------------------------------------------- runtime stage
FROM ${PYTHON_IMAGE} AS runtime

RUN groupadd --system --gid 10001 carecoord \
 && useradd --system --uid 10001 --gid carecoord --create-home \
        --home-dir /home/carecoord --shell /usr/sbin/nologin carecoord

# Same path as in the build stage: the virtualenv and the project's editable
# install point at /app. Files stay owned by root, so the app cannot modify
# its own code.
WORKDIR /app
COPY --from=builder /app /app

ENV PATH="/app/.venv/bin:${PATH}" \
    VIRTUAL_ENV=/app/.venv \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

USER carecoord

# diary, scheduling, care_team
EXPOSE 8001 8002 8003

CMD ["python", "-m", "services.diary"]
