# The yunwang API and console (云网). Build from the repository root:
#   docker build -t yunwang:0.1.0 .
# The image runs the TypeScript sources through tsx (a runtime dependency), as `npm start` does,
# so there is no compile step; the first stage only installs the production dependencies.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: nothing the server needs has one that matters (esbuild, under tsx, finds
# its platform binary package without it), and it keeps third-party code from running at build.
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
# Owned by root and not writable by the process: with DATABASE_URL set the server writes
# nothing but tsx's transform cache under /tmp (an emptyDir in Kubernetes).
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY drizzle ./drizzle
COPY data ./data
USER 10001:10001
EXPOSE 8080
# Kubernetes uses its own probes (/livez, /readyz); this serves `docker run`.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/yunwang.mjs"]
CMD ["serve"]
