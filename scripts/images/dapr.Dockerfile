# holdfast/dapr:<version> (scripts/images.sh): daprd, placement and scheduler as scripts/dapr-runtime.sh
# builds them. They link glibc dynamically (cgo), hence Debian rather than scratch. No entrypoint:
# the command names the binary, e.g. `daprd --app-id booking ...`, `placement --port ...`.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN groupadd --gid 10001 dapr && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin dapr
COPY daprd placement scheduler /usr/local/bin/
# scheduler keeps its embedded etcd in --etcd-data-dir: point it at /tmp or a volume.
ENV HOME=/tmp TMPDIR=/tmp
WORKDIR /tmp
USER 10001:10001
