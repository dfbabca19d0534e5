# holdfast/redis:7 (scripts/images.sh): Debian bookworm's redis-server (7.0). The entrypoint
# (redis-entrypoint.sh) writes its configuration from env and runs it in the foreground.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
# A fixed id (999) made before the package, whose scripts then reuse it.
RUN groupadd --system --gid 999 redis \
 && useradd --system --uid 999 --gid 999 --home-dir /var/lib/redis --no-create-home --shell /usr/sbin/nologin redis \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* \
 && mkdir -p /var/lib/redis && chown redis:redis /var/lib/redis
COPY redis-entrypoint.sh /usr/local/bin/holdfast-redis
ENV REDIS_PORT=6379
USER 999:999
ENTRYPOINT ["holdfast-redis"]
