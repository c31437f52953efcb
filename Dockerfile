# One image for every workload: the service (default command), the notifier,
# the media simulator, the media gateway and the migration Job (commands in k8s/).

# Build: dev dependencies, native addons (better-sqlite3 builds from source), TypeScript.
FROM node:24-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY scripts ./scripts
# The media bench (scripts/bench) plays its calls with the media example's caller.
COPY examples ./examples
RUN npm run build:clean && rm dist/.tsbuildinfo && npm prune --omit=dev

# Run: production dependencies and compiled code only, as the unprivileged
# `node` user. Every command is exec form: nothing needs a shell at run time.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 3000
# Kubernetes probes /health/live and /health/ready; no HEALTHCHECK here.
ENTRYPOINT ["node"]
# A young generation of 64 MB semi-spaces (V8's default here: 16 MB). A
# request's objects outlive a scavenge while it waits on the database, and
# each scavenge copies everything live: under load the service spent 0.079 ms
# of CPU per request in GC by default, 0.049 with 32 MB and 0.025 with 64 MB
# (nodejs_gc_duration_seconds, 8,000 cancels at 50 connections, docs/performance.md),
# for about 20 MB more peak RSS, well inside the pod's 512 Mi. `npm start`
# runs the same flags (test/integration/production-image.int-spec.ts checks).
CMD ["--max-semi-space-size=64", "dist/apps/calls-service/src/main.js"]
