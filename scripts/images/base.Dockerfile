# holdfast/base:bookworm-node20-<hash> (scripts/images.sh): Debian bookworm minbase, made with
# debootstrap and imported as holdfast/debian, plus Node 20 with npm: the files of the build
# machine's nodejs package (node.tar, made by scripts/images.sh from `dpkg -L nodejs`).
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
ADD node.tar /
RUN node --version && npm --version >/dev/null
