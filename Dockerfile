# The yunwang API and console (云网). Build from the repository root:
#   docker build -t yunwang:0.1.0 .
# The image runs compiled JavaScript on Node 24 LTS: the build stage bundles the server and the
# CLI into dist/yunwang.mjs (`npm run build`, esbuild, packages left external), and the runtime
# stage holds that bundle, the production node_modules and the files it reads beside it.
# Node 24.18.0 on Debian 12 slim, by the digest of its multi-platform index (amd64, arm64,
# ppc64le; docker-library's repo-info, 2026-07-14). Renew it with the Node patch releases.
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Dev dependencies too: esbuild and TypeScript build. esbuild's install script only verifies its
# binary (it finds its platform package without it), so third-party scripts never run here.
RUN npm ci --ignore-scripts --no-audit --no-fund
# The build context is what .dockerignore lets through: sources, migrations, reference data.
COPY . .
RUN npm run build -- --no-demo-template

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The bundle imports its packages from node_modules at run time: the production ones only.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# The demo dataset and its demo users (known password) stay out of an image that may meet real
# data: `docker run -e YUNWANG_DEMO=1` asks for them. `npm start` on a clone keeps the demo on.
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    YUNWANG_DATA_DIR=/var/lib/yunwang \
    YUNWANG_DEMO=0
# A named account for uid 10001: the CLI (`kubectl exec … yunwang token create`) audits as
# cli:<account>. Without DATABASE_URL (a plain `docker run`) the embedded database lives in the volume.
RUN groupadd --gid 10001 yunwang \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin yunwang \
 && mkdir -p /var/lib/yunwang && chown 10001:10001 /var/lib/yunwang
VOLUME /var/lib/yunwang
WORKDIR /app
# Owned by root and not writable by the process. dist/yunwang.mjs finds the project root by its
# package.json and reads drizzle/, data/ and src/console/assets/ from there; no TypeScript ships.
# With DATABASE_URL set the server writes nothing but the first administrators' one-time
# credentials under /tmp (an emptyDir in Kubernetes).
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY drizzle ./drizzle
COPY data ./data
COPY src/console/assets ./src/console/assets
USER 10001:10001
EXPOSE 8080
# Kubernetes uses its own probes (/livez, /readyz); this serves `docker run`.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/yunwang.mjs"]
CMD ["serve"]
