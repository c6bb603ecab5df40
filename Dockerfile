# Quayside: one image for the API, the worker, the sandboxes and the one-shot preparation job;
# docker-compose.yml picks the entry point with `command`.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY platform ./platform
COPY domain ./domain
COPY db ./db
COPY connectors ./connectors
COPY activities ./activities
COPY workflows ./workflows
COPY workers ./workers
COPY api ./api
COPY sandbox ./sandbox
COPY scripts ./scripts
RUN node --import tsx scripts/build-workflows.ts
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/main.ts"]
