# The image compose.yaml runs: one image, the role is the command (api, worker, backoffice).
FROM node:20-bookworm-slim
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 make g++ fonts-liberation && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit || npm install --no-fund --no-audit
COPY . .
RUN npm run build && mkdir -p /var/lib/ccm && chown node /var/lib/ccm
USER node
CMD ["node", "dist/main.js", "all"]
