# holdfast/postgres:15 (scripts/images.sh): Debian bookworm's postgresql-15. The entrypoint
# (postgres-entrypoint.sh) makes the cluster on first start and runs PostgreSQL on $PGPORT; env: there.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
# Fixed ids (999, as the official image) made before the package, whose scripts then reuse them; no
# cluster at install time: the entrypoint makes one in $PGDATA.
RUN groupadd --system --gid 999 postgres \
 && useradd --system --uid 999 --gid 999 --home-dir /var/lib/postgresql --no-create-home --shell /bin/bash postgres \
 && mkdir -p /etc/postgresql-common/createcluster.d \
 && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/holdfast.conf \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* \
 && mkdir -p /var/lib/postgresql/data && chown -R postgres:postgres /var/lib/postgresql && chmod 700 /var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/holdfast-postgres
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data PGPORT=5432
USER 999:999
ENTRYPOINT ["holdfast-postgres"]
