# holdfast/base:bookworm-node20-<hash> (scripts/images.sh): Debian bookworm minbase, made with
# debootstrap and imported as holdfast/debian, plus Node 20 with npm: the files of the build
# machine's nodejs package (node.tar, made by scripts/images.sh from `dpkg -L nodejs`).
ARG DEBIAN_IMAGE
FROM ${DEBIAN_IMAGE}
ADD node.tar /
# The build machine's own certificate authorities (its /usr/local/share/ca-certificates, public
# certificates only), so npm in the builds on this base passes a TLS-inspecting proxy as the machine
# does; Node reads the system bundle through NODE_EXTRA_CA_CERTS, as on the machine.
COPY extra-ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null && node --version && npm --version >/dev/null
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
