# One image for every Holdfast app; the container's args pick the entry point, e.g.
# `apps/booking/src/main.ts` (docs/images.md lists each app's command and env).
#   docker build -t holdfast/app .                        the apps (default target)
#   docker build --target migrate -t holdfast/migrate .   the migration runner (a Job before each release)
# With a registry this builds unchanged; without one, `npm run images` builds a Debian base of ours
# and passes it as BASE_IMAGE.
ARG BASE_IMAGE=node:20-bookworm-slim

# The manifests alone, without their "scripts": a source or script change then leaves the dependency
# layers below cached (COPY --from compares content). npm workspaces: every workspace's package.json
# must be here before `npm ci`, or it installs a different tree.
FROM ${BASE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY apps/admin/package.json apps/admin/
COPY apps/booking/package.json apps/booking/
COPY apps/delivery/package.json apps/delivery/
COPY apps/fulfillment/package.json apps/fulfillment/
COPY apps/providers/package.json apps/providers/
RUN node -e 'for (const f of process.argv.slice(1)) { const p = JSON.parse(fs.readFileSync(f, "utf8")); delete p.scripts; fs.writeFileSync(f, JSON.stringify(p, null, 2) + "\n"); }' \
      package.json shared/package.json apps/*/package.json

FROM ${BASE_IMAGE} AS base
# Nothing may write outside /tmp at run time (read-only root filesystem): HOME and npm's, tsx's and
# Prisma's caches all resolve under /tmp. CHECKPOINT_DISABLE: the Prisma CLI phones home otherwise.
ENV NODE_ENV=production \
    TMPDIR=/tmp \
    HOME=/tmp \
    NPM_CONFIG_CACHE=/tmp/.npm \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1
WORKDIR /app
COPY --from=manifests /app ./

# Production dependencies. --ignore-scripts: the install scripts we keep off locally (package.json's
# allowScripts) would try to download Prisma's native engines, which nothing here uses.
FROM base AS deps
RUN npm ci --omit=dev --ignore-scripts && rm -rf /tmp/.npm

# Every dependency (--include=dev: NODE_ENV=production would leave them out), only to take the
# migration engine from (the migrate target below).
FROM base AS dev-deps
RUN npm ci --include=dev --ignore-scripts && rm -rf /tmp/.npm

# The Prisma client, generated offline as scripts/prisma/generate.sh does: the CLI insists on a
# schema-engine path even for `generate`, which runs none, so it gets an existing file.
FROM deps AS prisma-client
COPY shared/prisma.config.ts shared/
COPY shared/prisma shared/prisma
RUN cd shared && PRISMA_SCHEMA_ENGINE_BINARY=/app/shared/prisma.config.ts npx prisma generate

FROM deps AS runtime
# A user with a passwd entry: tsx names its cache folder after os.userInfo(), which fails without one.
# Numeric in USER so that Kubernetes' runAsNonRoot can verify it.
RUN groupadd --gid 10001 holdfast && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin holdfast
COPY tsconfig.json ./
COPY shared shared
COPY apps apps
COPY --from=prisma-client /app/shared/src/generated shared/src/generated
# Files stay root's: the app user can read, not change, its code.
USER 10001:10001
# The probe the Deployment's livenessProbe also uses. APP_PORT is the one the app listens on (each
# app has its own default: set it). 127.0.0.1 answers whether APP_HOST is 127.0.0.1 or 0.0.0.0.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.APP_PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--require", "tsx/cjs"]
# Last, so that a new revision changes metadata only, not a layer.
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="holdfast" \
      org.opencontainers.image.description="Holdfast apps (booking, fulfillment, delivery, providers, admin) on Node 20 with tsx" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

# The migration runner (scripts/prisma/schema-engine.mjs deploy): the app image plus Prisma's schema
# engine in WebAssembly, a dev dependency the apps never load. Needs DATABASE_URL only.
FROM runtime AS migrate
COPY --from=dev-deps /app/node_modules/@prisma/schema-engine-wasm node_modules/@prisma/schema-engine-wasm
COPY scripts/prisma/schema-engine.mjs scripts/prisma/
HEALTHCHECK NONE
ENTRYPOINT ["node"]
CMD ["scripts/prisma/schema-engine.mjs", "deploy"]

# The default target: the apps. A container names the app it runs; without one it says so and stops.
FROM runtime AS app
CMD ["-e", "console.error('holdfast/app: pass an entry point, e.g. apps/booking/src/main.ts (docs/images.md)'); process.exit(2)"]
