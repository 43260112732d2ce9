# Dockerfile: twofold in a container, for those who use them. Untested here: the development
# machine has no Docker engine (see README). Build: docker build -t twofold .
# Run:   docker run -p 8420:8420 -v twofold-data:/var/lib/twofold twofold
FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc make pkg-config \
      libmicrohttpd-dev libjansson-dev libsodium-dev libargon2-dev libsqlite3-dev libssl-dev libqrencode-dev libpng-dev \
      libcurl4-openssl-dev libpq-dev libunistring-dev libcbor-dev libicu-dev gettext ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make OPT="-O2" build/twofold

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends libmicrohttpd12 libjansson4 libsodium23 libargon2-1 \
      libsqlite3-0 libssl3 libqrencode4 libpng16-16 libcurl4 libpq5 libunistring2 libcbor0.8 libicu72 ca-certificates \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /var/lib/twofold twofold \
    && mkdir -p /var/lib/twofold && chown twofold /var/lib/twofold && chmod 0700 /var/lib/twofold
COPY --from=build /src/build/twofold /usr/local/bin/twofold
USER twofold
EXPOSE 8420
VOLUME /var/lib/twofold
HEALTHCHECK CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8420 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["/usr/local/bin/twofold", "serve", "--listen", "0.0.0.0:8420", "--data", "/var/lib/twofold"]
