# The MQTTZoo broker image: `docker build -t mqttzoo:<version> .` (or `make deploy`, docs/DEPLOY.md).
# Runs `mqttzoo broker` (node dist/src/cli/main.js broker) as the unprivileged user node; settings
# come from MQTTZOO_* variables or flags (src/server/config.ts).
# The base is pinned to the Node version the project is developed and tested with.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Build: every dependency, TypeScript compiled into dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime: production dependencies and the compiled broker only.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# The official Node images have this user (uid 1000).
USER node
# MQTT, and HTTP for /healthz, /readyz, /metrics and /debug (set MQTTZOO_HTTP_HOST=0.0.0.0 to reach
# it from outside the container; it listens on localhost by default).
EXPOSE 1883 8080
# Docker's own health check (Kubernetes ignores it and uses the manifests' probes). Slim images have
# no curl: node asks /healthz on the configured HTTP port.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.MQTTZOO_HTTP_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM starts the graceful shutdown: clients are told to reconnect elsewhere (0x8B).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["broker"]
