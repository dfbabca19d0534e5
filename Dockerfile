# One image for every Holdfast app; the Deployment's args pick the entry point
# (k8s/base/apps/*.yaml), e.g. `apps/booking/src/main.ts`.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY apps/booking/package.json apps/booking/
COPY apps/fulfillment/package.json apps/fulfillment/
COPY apps/providers/package.json apps/providers/
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
RUN cd shared && npx prisma generate
USER node
ENTRYPOINT ["node", "--import", "tsx"]
