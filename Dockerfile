# Multi-stage build: compile in the Rust image, run in a slim Debian with only libpq.
FROM rust:1-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev nodejs npm \
    && rm -rf /var/lib/apt/lists/*
COPY Cargo.toml Cargo.lock build.rs ./
# build.rs bundles the explorer page with npm and embeds it in the binary.
COPY explorer/package.json explorer/package-lock.json explorer/build.mjs explorer/
COPY explorer/src explorer/src
COPY migrations migrations
COPY src src
RUN cargo build --release --locked && strip target/release/segstat

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /nonexistent segstat
COPY --from=build /src/target/release/segstat /usr/local/bin/segstat
COPY data /usr/share/segstat/data
WORKDIR /usr/share/segstat
USER segstat
ENV SEGSTAT_BIND=0.0.0.0:8080 RUST_LOG=info
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["segstat", "healthcheck"]
ENTRYPOINT ["segstat"]
CMD ["serve"]
