# The app image for `docker compose up` (docker-compose.yml supplies DATABASE_URL, so the
# project-managed local PostGIS is not used inside the container).
FROM node:20-bookworm-slim
WORKDIR /app
# Dependencies first so the layer is cached until package-lock.json changes.
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# The web app is built into the image: at start-up `npm start` finds it current and skips the build.
RUN npm run build:web
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
USER node
CMD ["npm", "start"]
